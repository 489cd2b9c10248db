import FerryMapping

/// Every target ferry knows, by name.
public enum TargetCatalog {
    public static let all: [Target] = Toplyne.targets + Netcore.targets
        + Pyze.targets
        + [TalonOneCouponImport.target]
        + TalonOne.targets

    public static func target(named name: String) -> Target? {
        all.first { $0.name == name }
    }

    public static var names: [String] { all.map(\.name) }
}
