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

    /// The target as built for `environment`: targets that read a variable when they are
    /// built (Pyze events: the app key) are built for it; the others are the catalog's.
    public static func target(named name: String, environment: [String: String]) -> Target? {
        if name == Pyze.events.name { return Pyze.eventsTarget(environment: environment) }
        return target(named: name)
    }

    public static var names: [String] { all.map(\.name) }
}
