import VigilCore

/// The small page `GET /u/TOKEN` shows (and `POST` answers with), in the recipient's
/// language: what the link stops, and buttons that post back. No script, no external asset.
struct UnsubscribePage {
    /// One language's words; `%@` is where the list's description goes.
    struct Words {
        var title: String
        var receiving: String
        var stopList: String
        var stopEverything: String
        var stoppedList: String
        var stoppedEverything: String
        var newsAbout: String
        var group: String
        var digests: String
        var alerts: String
        var notActed: String
    }

    static let english = Words(
        title: "Unsubscribe", receiving: "You receive these emails as %@.", stopList: "Stop these emails",
        stopEverything: "Stop every email from this sender",
        stoppedList: "You are unsubscribed from %@. No more of these emails will be sent to you.",
        stoppedEverything: "You are unsubscribed from every email from this sender.",
        newsAbout: "news about %@", group: "a member of the group %@", digests: "digests",
        alerts: "alerts addressed to you", notActed: "Nothing was changed.")

    static let words: [String: Words] = [
        "en": english,
        "fr": Words(

            title: "Se désabonner", receiving: "Vous recevez ces courriels au titre de : %@.",
            stopList: "Ne plus recevoir ces courriels",
            stopEverything: "Ne plus recevoir aucun courriel de cet expéditeur",
            stoppedList: "Vous êtes désabonné·e : %@. Ces courriels ne vous seront plus envoyés.",
            stoppedEverything: "Vous êtes désabonné·e de tous les courriels de cet expéditeur.",
            newsAbout: "nouvelles de %@", group: "membre du groupe %@", digests: "résumés",
            alerts: "alertes qui vous sont adressées", notActed: "Rien n'a été modifié."),
        "ru": Words(
            title: "Отписка", receiving: "Вы получаете эти письма: %@.", stopList: "Больше не присылать эти письма",
            stopEverything: "Больше не присылать никаких писем от этого отправителя",
            stoppedList: "Вы отписаны: %@. Эти письма больше не будут вам приходить.",
            stoppedEverything: "Вы отписаны от всех писем этого отправителя.",
            newsAbout: "новости о %@", group: "участник группы %@", digests: "сводки",
            alerts: "оповещения, адресованные вам", notActed: "Ничего не изменено."),
    ]

    let language: String

    private var text: Words {
        words(language)
    }

    private func words(_ language: String) -> Words {
        Self.words[language] ?? Self.words[String(language.prefix(2))] ?? Self.english
    }

    /// What the list is, in the page's language, escaped.
    func describe(_ subscription: Subscription) -> String {
        let words = text
        if let person = subscription.person { return fill(words.newsAbout, HTMLText.escape(person.name)) }
        if subscription.list.hasPrefix("group:") {
            return fill(words.group, HTMLText.escape(String(subscription.list.dropFirst(6))))
        }
        return subscription.list == Subscription.digest ? words.digests : words.alerts
    }

    /// The page offering the two buttons.
    func offer(_ lookup: Unsubscribing.Lookup) -> String {
        let words = text
        if lookup.stoppedEverything { return page(words.stoppedEverything) }
        let what = describe(lookup.subscription.subscription)
        var body =
            lookup.stopped ? "<p>\(fill(words.stoppedList, what))</p>\n" : "<p>\(fill(words.receiving, what))</p>\n"
        if !lookup.stopped {
            body += form(button: words.stopList, scope: nil)
        }
        body += form(button: words.stopEverything, scope: "all")
        return page(body, raw: true)
    }

    /// The answer to a post.
    func done(_ lookup: Unsubscribing.Lookup, everything: Bool) -> String {
        everything || lookup.stoppedEverything
            ? page(text.stoppedEverything)
            : page(fill(text.stoppedList, describe(lookup.subscription.subscription)), raw: true)
    }

    /// A refusal, with the reason and that nothing changed.
    func refused(_ reason: String) -> String {
        page("<p>\(HTMLText.escape(reason)).</p>\n<p>\(HTMLText.escape(text.notActed))</p>", raw: true)
    }

    private func form(button: String, scope: String?) -> String {
        // The RFC 8058 field, so the button's post reads like a mail client's one-click post.
        let hidden =
            scope.map { "<input type=\"hidden\" name=\"scope\" value=\"\($0)\">" }
            ?? "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
        return "<form method=\"post\">\(hidden)<button type=\"submit\">\(HTMLText.escape(button))</button></form>\n"
    }

    private func fill(_ template: String, _ value: String) -> String {
        template.replacingOccurrences(of: "%@", with: value)
    }

    private func page(_ content: String, raw: Bool = false) -> String {
        let body = raw ? content : "<p>\(HTMLText.escape(content))</p>"
        return """
            <!DOCTYPE html>
            <html lang="\(HTMLText.escape(language))"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">
            <title>\(HTMLText.escape(text.title))</title>
            <style>body{font-family:sans-serif;max-width:34em;margin:2em auto;padding:0 1em;line-height:1.5}
            button{font-size:1em;padding:.5em 1em;margin:.3em 0}</style></head>
            <body><h1>\(HTMLText.escape(text.title))</h1>
            \(body)
            </body></html>

            """
    }
}
