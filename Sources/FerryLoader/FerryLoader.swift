// FerryLoader: filled in by later issues (see DESIGN.md).
enum FerryLoaderModule { static let name = "FerryLoader" }
