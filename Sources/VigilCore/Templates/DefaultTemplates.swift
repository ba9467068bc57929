/// The templates Vigil ships, in English and French, for every event kind: a subject, a
/// plain-text and an HTML body per kind. Named `LANGUAGE/NAME.PART` as in a template
/// directory (see ``TemplateLibrary``).
///
/// They do not name the recipient, so one rendering serves every recipient of a language
/// (a template that uses `recipient` is rendered once per recipient, which costs more).
enum DefaultTemplates {
    static let all: [String: String] = build(english).merging(build(french)) { first, _ in first }

    /// One language's wording: per kind, a subject and the body's lead sentence (Mustache
    /// text, the same in plain text and HTML but for the markup `build` adds).
    struct Wording {
        var language: String
        var subjects: [String: String]
        var leads: [String: String]
        var keyLabel: String
        /// Before the sources that reported the same change of a person.
        var reportedBy: String
        var digestSubject: String
        var digestLead: String
    }

    static let english = Wording(
        language: "en",
        subjects: [
            "added": "{{record.name}}: now listed ({{record.statusLabel}})",
            "changed":
                "{{record.name}}: {{#change.status}}{{fromLabel}} → {{toLabel}}{{/change.status}}{{^change.status}}details updated{{/change.status}}",
            "removed": "{{record.name}}: no longer listed by {{source.id}}",
            "failing": "Source {{source.id}} is failing",
            "recovered": "Source {{source.id}} works again",
            "suspicious": "Source {{source.id}}: suspicious drop, nothing applied",
            "dead_lettered": "A notification could not be delivered",
            "overdue": "{{record.name}}: overdue ({{event.deadline}})",
            "upcoming": "{{record.name}}: coming up ({{event.deadline}})",
            "mention": "{{event.person.name}} mentioned: {{record.name}}",
            "conflict": "{{person.name}}: sources disagree",
            "conflict_resolved": "{{person.name}}: sources agree again",
            "unsubscribed":
                "A recipient unsubscribed{{#event.person}} from news about {{event.person.name}}{{/event.person}}",
            "bounced": "A recipient's address bounced: mail to it stopped",
            "sender_rejected": "Mail refused by a receiving server's policy",
            "approval_requested": "Held for approval: {{person.name}}",
        ],
        leads: [
            "added": "{{record.name}} now appears in {{source.id}}, status: {{record.statusLabel}}.",
            "changed": "{{record.name}} ({{source.id}}):",
            "removed":
                "{{record.name}} is no longer listed by {{source.id}} (last status: {{record.statusLabel}}). This does not by itself mean a release.",
            "failing":
                "Source {{source.id}} is failing: {{event.message}}. No person events are produced from it until it recovers; stored state is kept.",
            "recovered": "Source {{source.id}} works again{{#event.message}} ({{event.message}}){{/event.message}}.",
            "suspicious": "Source {{source.id}} looks wrong: {{event.message}}. Nothing from it was applied.",
            "dead_lettered":
                "Delivery given up: {{event.message}}. See `vigil outbox`; `vigil outbox retry ID` sends it again.",
            "overdue": "{{record.name}} ({{source.id}}): {{event.message}}.",
            "upcoming": "{{record.name}} ({{source.id}}): {{event.message}}.",
            "mention":
                "{{source.id}} names {{event.person.name}} ({{event.person.source}}, {{event.person.key}}): {{record.name}} {{record.fields.link}}. A mention is news to read, not a change of status.",
            "conflict":
                "The sources linked to {{person.name}} disagree on the status. Check before telling anyone:",
            "conflict_resolved": "The sources linked to {{person.name}} agree again:",
            "unsubscribed":
                "{{event.message}}. Nothing more goes to them on that list; `vigil recipients resubscribe ID` undoes it if they ask.",
            "bounced":
                "{{event.message}}. Correct the address in the recipients list, or `vigil recipients resubscribe ID` once it works again.",
            "sender_rejected":
                "{{event.message}}. This is the sender's configuration (SPF, DKIM, DMARC for the From domain), not the recipient: nobody was suppressed. Further refusals are not reported until a day passes without one.",
            "approval_requested":
                "{{event.message}}. Nothing has been sent yet: approve it in the console or with `vigil approve ID`, or reject it with `vigil reject ID --reason …` (ID as held above).",
        ],
        keyLabel: "Key", reportedBy: "Reported by", digestSubject: "{{count}} updates from Vigil",
        digestLead: "{{#recipient.name}}Dear {{recipient.name}}, {{/recipient.name}}{{count}} updates:")

    static let french = Wording(
        language: "fr",
        subjects: [
            "added": "{{record.name}} : désormais sur la liste ({{record.statusLabel}})",
            "changed":
                "{{record.name}} : {{#change.status}}{{fromLabel}} → {{toLabel}}{{/change.status}}{{^change.status}}informations mises à jour{{/change.status}}",
            "removed": "{{record.name}} : ne figure plus sur {{source.id}}",
            "failing": "La source {{source.id}} est en échec",
            "recovered": "La source {{source.id}} fonctionne de nouveau",
            "suspicious": "Source {{source.id}} : baisse suspecte, rien n'a été appliqué",
            "dead_lettered": "Une notification n'a pas pu être remise",
            "overdue": "{{record.name}} : échéance dépassée ({{event.deadline}})",
            "upcoming": "{{record.name}} : échéance proche ({{event.deadline}})",
            "mention": "{{event.person.name}} mentionné·e : {{record.name}}",
            "conflict": "{{person.name}} : les sources divergent",
            "conflict_resolved": "{{person.name}} : les sources concordent de nouveau",
            "unsubscribed":
                "Un destinataire s'est désabonné{{#event.person}} des nouvelles de {{event.person.name}}{{/event.person}}",
            "bounced": "L'adresse d'un destinataire est en échec définitif : plus rien ne lui est envoyé",
            "sender_rejected": "Courriels refusés par la politique d'un serveur destinataire",
            "approval_requested": "En attente d'approbation : {{person.name}}",
        ],
        leads: [
            "added": "{{record.name}} figure désormais sur {{source.id}}, statut : {{record.statusLabel}}.",
            "changed": "{{record.name}} ({{source.id}}) :",
            "removed":
                "{{record.name}} ne figure plus sur {{source.id}} (dernier statut : {{record.statusLabel}}). Cela ne signifie pas à lui seul une libération.",
            "failing":
                "La source {{source.id}} est en échec : {{event.message}}. Aucun événement n'en est tiré avant son rétablissement ; l'état enregistré est conservé.",
            "recovered":
                "La source {{source.id}} fonctionne de nouveau{{#event.message}} ({{event.message}}){{/event.message}}.",
            "suspicious": "La source {{source.id}} semble erronée : {{event.message}}. Rien n'en a été appliqué.",
            "dead_lettered": "Remise abandonnée : {{event.message}}. Voir `vigil outbox`.",
            "overdue": "{{record.name}} ({{source.id}}) : {{event.message}}.",
            "upcoming": "{{record.name}} ({{source.id}}) : {{event.message}}.",
            "mention":
                "{{source.id}} cite {{event.person.name}} ({{event.person.source}}, {{event.person.key}}) : {{record.name}} {{record.fields.link}}. Une mention est une nouvelle à lire, pas un changement de statut.",
            "conflict":
                "Les sources liées à {{person.name}} divergent sur le statut. À vérifier avant d'informer quiconque :",
            "conflict_resolved": "Les sources liées à {{person.name}} concordent de nouveau :",
            "unsubscribed":
                "{{event.message}}. Plus rien ne lui est envoyé sur cette liste ; `vigil recipients resubscribe ID` l'annule à sa demande.",
            "bounced":
                "{{event.message}}. Corrigez l'adresse dans la liste des destinataires, ou `vigil recipients resubscribe ID` quand elle fonctionne de nouveau.",
            "sender_rejected":
                "{{event.message}}. C'est la configuration de l'expéditeur (SPF, DKIM, DMARC du domaine From), pas le destinataire : personne n'a été désabonné. Les refus suivants ne sont plus signalés avant un jour sans refus.",
            "approval_requested":
                "{{event.message}}. Rien n'a encore été envoyé : approuvez dans la console ou avec `vigil approve ID`, ou refusez avec `vigil reject ID --reason …` (ID : l'identifiant ci-dessus).",
        ],
        keyLabel: "Identifiant", reportedBy: "Signalé par", digestSubject: "{{count}} nouvelles de Vigil",
        digestLead: "{{#recipient.name}}Bonjour {{recipient.name}}, {{/recipient.name}}{{count}} nouvelles :")

    /// A language's templates: `KIND.subject`, `KIND.text`, `KIND.html` and the digest's.
    static func build(_ wording: Wording) -> [String: String] {
        let language = wording.language
        let separator = language == "fr" ? " : " : ": "
        let changesText = "{{#changes}}  {{field}}\(separator){{fromLabel}} → {{toLabel}}\n{{/changes}}"
        let changesHTML =
            "<ul>\n{{#changes}}<li>{{field}}\(separator){{fromLabel}} → <strong>{{toLabel}}</strong></li>\n{{/changes}}</ul>\n"
        let keyLine = "{{#record}}\(wording.keyLabel)\(separator){{record.key}}\n{{/record}}"
        let reportedLine =
            "{{#event.reportedBy}}\(wording.reportedBy)\(separator){{event.reportedBy}}\n{{/event.reportedBy}}"
        let listingsText = "{{#person.records}}  {{source}} ({{key}})\(separator){{statusLabel}}\n{{/person.records}}"
        let listingsHTML =
            "<ul>\n{{#person.records}}<li>{{source}} ({{key}})\(separator)<strong>{{statusLabel}}</strong></li>\n{{/person.records}}</ul>\n"
        var templates: [String: String] = [:]
        for kind in Event.Kind.allCases.map(\.rawValue) {
            let lead = wording.leads[kind] ?? ""
            let hasChanges = kind == "changed"
            let hasListings = kind == "conflict" || kind == "conflict_resolved"
            templates["\(language)/\(kind).subject"] = wording.subjects[kind]
            templates["\(language)/\(kind).text"] =
                lead + "\n" + (hasChanges ? changesText + "\n" : "") + (hasListings ? listingsText + "\n" : "") + "\n"
                + keyLine + reportedLine
            templates["\(language)/\(kind).html"] =
                "<p>" + lead + "</p>\n" + (hasChanges ? changesHTML : "") + (hasListings ? listingsHTML : "")
                + "{{#event.reportedBy}}<p>\(wording.reportedBy)\(separator){{event.reportedBy}}</p>\n{{/event.reportedBy}}"
        }
        templates["\(language)/digest.subject"] = wording.digestSubject
        templates["\(language)/digest.text"] = wording.digestLead + "\n{{#items}}\n* {{subject}}\n{{text}}\n{{/items}}"
        templates["\(language)/digest.html"] =
            "<p>" + wording.digestLead + "</p>\n{{#items}}<h3>{{subject}}</h3>\n{{{html}}}\n{{/items}}"
        return templates
    }
}
