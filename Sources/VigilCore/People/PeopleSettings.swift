import Foundation

/// How Vigil joins records into people (the configuration's `people`).
public struct PeopleSettings: Sendable {
    /// Linking without a person's decision, only with an exact agreement on strong fields.
    public struct AutoLink: Sendable, Equatable {
        /// Fields that must be present in both records and equal (a birth date); never empty.
        public var agree: [String]
        /// The least name score (before field evidence) an automatic link needs.
        public var minScore: Double

        public init(agree: [String], minScore: Double = 0.9) {
            self.agree = agree
            self.minScore = minScore
        }
    }

    /// The team's own links, read from the crosswalk files when the configuration is read.
    public var crosswalk = Crosswalk()
    /// Fields weighed as evidence: agreement raises a proposal's score, disagreement lowers it.
    public var compare: [String] = []
    /// Pairs scoring at least this are proposed for a person's decision.
    public var proposeAbove = 0.9
    /// nil: every link is a person's decision (the default).
    public var autoLink: AutoLink?
    /// The same change of one person reported by another linked source within this time is
    /// folded into the first report instead of told again.
    public var sameChangeWithin: Duration = .seconds(86_400)
    /// Raise `conflict` events when linked sources disagree on a status.
    public var conflicts = true

    public init() {}

    /// What a field is worth as evidence.
    static let agreementBonus = 0.1
    static let disagreementCost = 0.35

    /// Reads `people`: `{"crosswalk": PATH | [PATH], "compare": [FIELD], "propose": SCORE,
    /// "autoLink": {"agree": [FIELD], "minScore": SCORE}, "sameChangeWithin": DURATION,
    /// "conflicts": BOOL}`.
    static func read(_ value: JSONValue, reader: ConfigReader, sources: [SourceConfiguration]) -> PeopleSettings {
        var settings = PeopleSettings()
        guard var object = reader.object(value, path: "$.people") else { return settings }
        let fieldNames = Set(sources.flatMap { $0.mapping.fields.map(\.name) })
        func checkFields(_ fields: [String], key: String, in object: ObjectReader) {
            for field in fields where !fieldNames.contains(field) {
                object.report(
                    "no source maps a field \"\(field)\" (mapped: \(fieldNames.sorted().joined(separator: ", ")))",
                    key: key)
            }
        }
        if let paths = object.stringOrStrings("crosswalk", required: false) {
            settings.crosswalk = Crosswalk.read(
                files: paths.map(reader.path), sources: Set(sources.map(\.id)), report: reader.report)
        }
        if let fields = object.stringOrStrings("compare", required: false) {
            checkFields(fields, key: "compare", in: object)
            settings.compare = fields
        }
        if let score = object.optionalNumber("propose") {
            if (0.5...1).contains(score) {
                settings.proposeAbove = score
            } else {
                object.report("expected a score from 0.5 to 1", key: "propose")
            }
        }
        if let found = object.value("autoLink"), var auto = reader.object(found, path: object.path(of: "autoLink")) {
            let agree = auto.stringOrStrings("agree", required: true) ?? []
            checkFields(agree, key: "agree", in: auto)
            if agree.isEmpty {
                auto.report("automatic links need at least one field to agree on (never by name alone)", key: "agree")
            }
            var link = AutoLink(agree: agree)
            if let score = auto.optionalNumber("minScore") {
                if (0.8...1).contains(score) {
                    link.minScore = score
                } else {
                    auto.report("expected a score from 0.8 to 1", key: "minScore")
                }
            }
            auto.finish()
            if !agree.isEmpty { settings.autoLink = link }
        }
        if let window = object.optionalDuration("sameChangeWithin", in: .zero...(.seconds(30 * 86_400))) {
            settings.sameChangeWithin = window
        }
        if let conflicts = object.optionalBool("conflicts") { settings.conflicts = conflicts }
        object.finish()
        return settings
    }
}
