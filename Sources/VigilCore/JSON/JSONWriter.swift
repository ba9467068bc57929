/// Writes JSON text: compact, deterministic, with only the escapes JSON requires.
public enum JSONWriter {
    /// Appends `text` as a JSON string literal.
    public static func appendString(_ text: String, to output: inout String) {
        output.append("\"")
        var needsEscaping = false
        for byte in text.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            needsEscaping = true
            break
        }
        if !needsEscaping {
            output.append(text)
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": output.append("\\\"")
                case "\\": output.append("\\\\")
                case "\n": output.append("\\n")
                case "\r": output.append("\\r")
                case "\t": output.append("\\t")
                case _ where scalar.value < 0x20: appendUnicodeEscape(scalar, to: &output)
                default: output.unicodeScalars.append(scalar)
                }
            }
        }
        output.append("\"")
    }

    /// Appends `\u` and four hex digits for a scalar of the Basic Multilingual Plane.
    public static func appendUnicodeEscape(_ scalar: Unicode.Scalar, to output: inout String) {
        let hex = String(scalar.value, radix: 16)
        output.append("\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex)
    }

    /// A JSON string literal for `text`.
    public static func string(_ text: String) -> String {
        var output = ""
        appendString(text, to: &output)
        return output
    }

    /// A JSON object of string values, keys sorted.
    public static func object(_ dictionary: [String: String]) -> String {
        var output = ""
        appendObject(dictionary, to: &output)
        return output
    }

    /// Appends a JSON object of string values, keys sorted.
    public static func appendObject(_ dictionary: [String: String], to output: inout String) {
        output.append("{")
        var first = true
        for (key, value) in dictionary.sorted(by: { $0.key < $1.key }) {
            if !first { output.append(",") }
            first = false
            appendString(key, to: &output)
            output.append(":")
            appendString(value, to: &output)
        }
        output.append("}")
    }

    /// Serialises a value (with members in their order).
    public static func write(_ value: JSONValue, to output: inout String) {
        switch value.kind {
        case .null: output.append("null")
        case .bool(let flag): output.append(flag ? "true" : "false")
        case .number(let text): output.append(text)
        case .string(let text): appendString(text, to: &output)
        case .array(let elements):
            output.append("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(",") }
                write(element, to: &output)
            }
            output.append("]")
        case .object(let members):
            output.append("{")
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(",") }
                appendString(member.key, to: &output)
                output.append(":")
                write(member.value, to: &output)
            }
            output.append("}")
        }
    }
}
