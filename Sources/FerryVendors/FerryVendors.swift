// FerryVendors: filled in by later issues (see DESIGN.md).
enum FerryVendorsModule { static let name = "FerryVendors" }
