// FerryMapping: filled in by later issues (see DESIGN.md).
enum FerryMappingModule { static let name = "FerryMapping" }
