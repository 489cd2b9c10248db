import FerryCore

/// `.object` from literal members, in order.
func jsonObject(_ members: KeyValuePairs<String, JSONValue>) -> JSONValue {
    .object(JSONObject(members.map { (key: $0.key, value: $0.value) }))
}

/// `.object` with one member per dictionary entry, sorted by key.
func jsonObject<Value>(sorted dictionary: [String: Value], _ transform: (Value) -> JSONValue) -> JSONValue {
    .object(JSONObject(dictionary.keys.sorted().compactMap { key in dictionary[key].map { (key: key, value: transform($0)) } }))
}
