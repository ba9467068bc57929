/// The templates Vigil ships, in English and French, for every event kind: a subject per kind,
/// and a plain-text and an HTML body shared by all kinds (sections pick the kind's wording).
/// Named `LANGUAGE/NAME.PART` as in a template directory (see ``TemplateLibrary``).
enum DefaultTemplates {
    static let all: [String: String] = english.merging(french) { first, _ in first }

    static let english: [String: String] = [
        "en/added.subject": "{{record.name}}: now listed ({{record.statusLabel}})",
        "en/changed.subject":
            "{{record.name}}: {{#change.status}}{{fromLabel}} → {{toLabel}}{{/change.status}}{{^change.status}}details updated{{/change.status}}",
        "en/removed.subject": "{{record.name}}: no longer listed by {{source.id}}",
        "en/failing.subject": "Source {{source.id}} is failing",
        "en/recovered.subject": "Source {{source.id}} works again",
        "en/suspicious.subject": "Source {{source.id}}: suspicious drop, nothing applied",
        "en/dead_lettered.subject": "A notification could not be delivered",
        "en/overdue.subject": "{{record.name}}: overdue ({{event.deadline}})",
        "en/upcoming.subject": "{{record.name}}: coming up ({{event.deadline}})",
        "en/digest.subject": "{{count}} updates from Vigil",
        "en/event.text": """
        {{#recipient.name}}Dear {{recipient.name}},

        {{/recipient.name}}
        {{#event.is.added}}{{record.name}} now appears in {{source.id}}, status: {{record.statusLabel}}.
        {{/event.is.added}}
        {{#event.is.changed}}{{record.name}} ({{source.id}}):
        {{#changes}}  {{field}}: {{#fromLabel}}{{fromLabel}}{{/fromLabel}}{{^fromLabel}}(none){{/fromLabel}} → {{#toLabel}}{{toLabel}}{{/toLabel}}{{^toLabel}}(none){{/toLabel}}
        {{/changes}}
        {{/event.is.changed}}
        {{#event.is.removed}}{{record.name}} is no longer listed by {{source.id}} (last status: {{record.statusLabel}}). This does not by itself mean a release.
        {{/event.is.removed}}
        {{#event.is.overdue}}{{record.name}} ({{source.id}}): {{event.message}}
        {{/event.is.overdue}}
        {{#event.is.upcoming}}{{record.name}} ({{source.id}}): {{event.message}}
        {{/event.is.upcoming}}
        {{#event.is.failing}}Source {{source.id}} is failing: {{event.message}}
        No person events are produced from it until it recovers; stored state is kept.
        {{/event.is.failing}}
        {{#event.is.recovered}}Source {{source.id}} works again.
        {{/event.is.recovered}}
        {{#event.is.suspicious}}Source {{source.id}} looks wrong: {{event.message}}
        Nothing from it was applied.
        {{/event.is.suspicious}}
        {{#event.is.dead_lettered}}Delivery given up: {{event.message}}
        See `vigil outbox`; `vigil outbox retry ID` sends it again.
        {{/event.is.dead_lettered}}
        {{#record}}
        Key: {{record.key}}
        {{/record}}

        """,
        "en/event.html": """
        {{#recipient.name}}<p>Dear {{recipient.name}},</p>
        {{/recipient.name}}
        {{#event.is.added}}<p><strong>{{record.name}}</strong> now appears in {{source.id}}, status: <strong>{{record.statusLabel}}</strong>.</p>
        {{/event.is.added}}
        {{#event.is.changed}}<p><strong>{{record.name}}</strong> ({{source.id}}):</p>
        <ul>
        {{#changes}}<li>{{field}}: {{#fromLabel}}{{fromLabel}}{{/fromLabel}}{{^fromLabel}}(none){{/fromLabel}} → <strong>{{#toLabel}}{{toLabel}}{{/toLabel}}{{^toLabel}}(none){{/toLabel}}</strong></li>
        {{/changes}}
        </ul>
        {{/event.is.changed}}
        {{#event.is.removed}}<p><strong>{{record.name}}</strong> is no longer listed by {{source.id}} (last status: {{record.statusLabel}}). This does not by itself mean a release.</p>
        {{/event.is.removed}}
        {{#event.is.overdue}}<p><strong>{{record.name}}</strong> ({{source.id}}): {{event.message}}</p>
        {{/event.is.overdue}}
        {{#event.is.upcoming}}<p><strong>{{record.name}}</strong> ({{source.id}}): {{event.message}}</p>
        {{/event.is.upcoming}}
        {{#event.is.failing}}<p>Source <strong>{{source.id}}</strong> is failing: {{event.message}}</p>
        {{/event.is.failing}}
        {{#event.is.recovered}}<p>Source <strong>{{source.id}}</strong> works again.</p>
        {{/event.is.recovered}}
        {{#event.is.suspicious}}<p>Source <strong>{{source.id}}</strong> looks wrong: {{event.message}}. Nothing from it was applied.</p>
        {{/event.is.suspicious}}
        {{#event.is.dead_lettered}}<p>Delivery given up: {{event.message}}</p>
        {{/event.is.dead_lettered}}

        """,
        "en/digest.text": """
        {{#recipient.name}}Dear {{recipient.name}},

        {{/recipient.name}}
        {{count}} updates:
        {{#items}}

        * {{subject}}
        {{text}}
        {{/items}}

        """,
        "en/digest.html": """
        {{#recipient.name}}<p>Dear {{recipient.name}},</p>
        {{/recipient.name}}
        <p>{{count}} updates:</p>
        {{#items}}
        <h3>{{subject}}</h3>
        {{{html}}}
        {{/items}}

        """,
    ]

    static let french: [String: String] = [
        "fr/added.subject": "{{record.name}} : désormais sur la liste ({{record.statusLabel}})",
        "fr/changed.subject":
            "{{record.name}} : {{#change.status}}{{fromLabel}} → {{toLabel}}{{/change.status}}{{^change.status}}informations mises à jour{{/change.status}}",
        "fr/removed.subject": "{{record.name}} : ne figure plus sur {{source.id}}",
        "fr/failing.subject": "La source {{source.id}} est en échec",
        "fr/recovered.subject": "La source {{source.id}} fonctionne de nouveau",
        "fr/suspicious.subject": "Source {{source.id}} : baisse suspecte, rien n'a été appliqué",
        "fr/dead_lettered.subject": "Une notification n'a pas pu être remise",
        "fr/overdue.subject": "{{record.name}} : échéance dépassée ({{event.deadline}})",
        "fr/upcoming.subject": "{{record.name}} : échéance proche ({{event.deadline}})",
        "fr/digest.subject": "{{count}} nouvelles de Vigil",
        "fr/event.text": """
        {{#recipient.name}}Bonjour {{recipient.name}},

        {{/recipient.name}}
        {{#event.is.added}}{{record.name}} figure désormais sur {{source.id}}, statut : {{record.statusLabel}}.
        {{/event.is.added}}
        {{#event.is.changed}}{{record.name}} ({{source.id}}) :
        {{#changes}}  {{field}} : {{#fromLabel}}{{fromLabel}}{{/fromLabel}}{{^fromLabel}}(aucun){{/fromLabel}} → {{#toLabel}}{{toLabel}}{{/toLabel}}{{^toLabel}}(aucun){{/toLabel}}
        {{/changes}}
        {{/event.is.changed}}
        {{#event.is.removed}}{{record.name}} ne figure plus sur {{source.id}} (dernier statut : {{record.statusLabel}}). Cela ne signifie pas à lui seul une libération.
        {{/event.is.removed}}
        {{#event.is.overdue}}{{record.name}} ({{source.id}}) : {{event.message}}
        {{/event.is.overdue}}
        {{#event.is.upcoming}}{{record.name}} ({{source.id}}) : {{event.message}}
        {{/event.is.upcoming}}
        {{#event.is.failing}}La source {{source.id}} est en échec : {{event.message}}
        Aucun événement n'en est tiré avant son rétablissement ; l'état enregistré est conservé.
        {{/event.is.failing}}
        {{#event.is.recovered}}La source {{source.id}} fonctionne de nouveau.
        {{/event.is.recovered}}
        {{#event.is.suspicious}}La source {{source.id}} semble erronée : {{event.message}}
        Rien n'en a été appliqué.
        {{/event.is.suspicious}}
        {{#event.is.dead_lettered}}Remise abandonnée : {{event.message}}
        {{/event.is.dead_lettered}}
        {{#record}}
        Identifiant : {{record.key}}
        {{/record}}

        """,
        "fr/event.html": """
        {{#recipient.name}}<p>Bonjour {{recipient.name}},</p>
        {{/recipient.name}}
        {{#event.is.added}}<p><strong>{{record.name}}</strong> figure désormais sur {{source.id}}, statut : <strong>{{record.statusLabel}}</strong>.</p>
        {{/event.is.added}}
        {{#event.is.changed}}<p><strong>{{record.name}}</strong> ({{source.id}}) :</p>
        <ul>
        {{#changes}}<li>{{field}} : {{#fromLabel}}{{fromLabel}}{{/fromLabel}}{{^fromLabel}}(aucun){{/fromLabel}} → <strong>{{#toLabel}}{{toLabel}}{{/toLabel}}{{^toLabel}}(aucun){{/toLabel}}</strong></li>
        {{/changes}}
        </ul>
        {{/event.is.changed}}
        {{#event.is.removed}}<p><strong>{{record.name}}</strong> ne figure plus sur {{source.id}} (dernier statut : {{record.statusLabel}}). Cela ne signifie pas à lui seul une libération.</p>
        {{/event.is.removed}}
        {{#event.is.overdue}}<p><strong>{{record.name}}</strong> ({{source.id}}) : {{event.message}}</p>
        {{/event.is.overdue}}
        {{#event.is.upcoming}}<p><strong>{{record.name}}</strong> ({{source.id}}) : {{event.message}}</p>
        {{/event.is.upcoming}}
        {{#event.is.failing}}<p>La source <strong>{{source.id}}</strong> est en échec : {{event.message}}</p>
        {{/event.is.failing}}
        {{#event.is.recovered}}<p>La source <strong>{{source.id}}</strong> fonctionne de nouveau.</p>
        {{/event.is.recovered}}
        {{#event.is.suspicious}}<p>La source <strong>{{source.id}}</strong> semble erronée : {{event.message}}. Rien n'en a été appliqué.</p>
        {{/event.is.suspicious}}
        {{#event.is.dead_lettered}}<p>Remise abandonnée : {{event.message}}</p>
        {{/event.is.dead_lettered}}

        """,
        "fr/digest.text": """
        {{#recipient.name}}Bonjour {{recipient.name}},

        {{/recipient.name}}
        {{count}} nouvelles :
        {{#items}}

        * {{subject}}
        {{text}}
        {{/items}}

        """,
        "fr/digest.html": """
        {{#recipient.name}}<p>Bonjour {{recipient.name}},</p>
        {{/recipient.name}}
        <p>{{count}} nouvelles :</p>
        {{#items}}
        <h3>{{subject}}</h3>
        {{{html}}}
        {{/items}}

        """,
    ]
}
