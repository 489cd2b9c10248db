// FerrySandbox: filled in by later issues (see DESIGN.md).
enum FerrySandboxModule { static let name = "FerrySandbox" }
