/// Status words as a reader of each shipped language expects them (`released` → "libéré(e)").
/// A status a source reported but Vigil could not map is shown as the source wrote it.
public enum StatusLabels {
    static let table: [String: [String: String]] = [
        "en": [
            "missing": "missing", "detained": "detained", "charged": "charged", "on_trial": "on trial",
            "sentenced": "sentenced", "transferred": "transferred", "hunger_strike": "on hunger strike",
            "released": "released", "exchanged": "exchanged", "pardoned": "pardoned", "deceased": "deceased",
            "unknown": "status unknown",
        ],
        "fr": [
            "missing": "disparu(e)", "detained": "détenu(e)", "charged": "inculpé(e)", "on_trial": "en procès",
            "sentenced": "condamné(e)", "transferred": "transféré(e)", "hunger_strike": "en grève de la faim",
            "released": "libéré(e)", "exchanged": "échangé(e)", "pardoned": "gracié(e)", "deceased": "décédé(e)",
            "unknown": "statut inconnu",
        ],
        "hy": [
            "missing": "անհետ կորած", "detained": "կալանավորված", "charged": "մեղադրյալ",
            "on_trial": "դատավարության մեջ",
            "sentenced": "դատապարտված", "transferred": "տեղափոխված", "hunger_strike": "հացադուլ",
            "released": "ազատ արձակված", "exchanged": "փոխանակված", "pardoned": "ներում ստացած", "deceased": "մահացած",
            "unknown": "կարգավիճակն անհայտ է",
        ],
    ]

    /// How a missing value reads: "(none)", "(aucun)".
    public static func none(language: String) -> String {
        noneTable[language] ?? "(none)"
    }

    static let noneTable = ["en": "(none)", "fr": "(aucun)", "hy": "(չկա)"]

    /// The label of `status` in `language`, falling back to English, then to the word itself.
    public static func label(_ status: String, language: String) -> String {
        table[language]?[status] ?? table["en"]?[status] ?? status
    }
}
