import Foundation
import VigilCore

extension Coordinator {
    /// `GET /u/TOKEN`: the page that explains the link and offers its buttons; never changes anything
    /// (link scanners follow links).
    func unsubscribePage(token: String) -> (status: Int, html: String) {
        refreshRecipients()
        let desk = Unsubscribing(configuration: configuration, store: store)
        do {
            let lookup = try desk.look(token: token, at: Date())
            return (200, UnsubscribePage(language: language(of: lookup)).offer(lookup))
        } catch {
            return refusal(error)
        }
    }

    /// `POST /u/TOKEN`: stops the link's list (or, with `everything`, every list); repeating it is harmless.
    func unsubscribe(token: String, everything: Bool) -> (status: Int, html: String) {
        refreshRecipients()
        let desk = Unsubscribing(configuration: configuration, store: store)
        do {
            let lookup = try desk.look(token: token, at: Date())
            let page = UnsubscribePage(language: language(of: lookup))
            do {
                if try desk.unsubscribe(lookup, everything: everything, at: Date()) != nil {
                    metrics.record(events: [.unsubscribed: 1])
                    logger.info("a recipient unsubscribed (subscription \(lookup.subscription.id))")
                }
            } catch {
                logger.error("an unsubscribe could not be stored: \(error.description)")
                return (503, page.refused(Unsubscribing.Refusal.unavailable("").description))
            }
            return (200, page.done(lookup, everything: everything))
        } catch {
            return refusal(error)
        }
    }

    private func language(of lookup: Unsubscribing.Lookup) -> String {
        lookup.recipient?.language ?? configuration.templates.defaultLanguage
    }

    private func refusal(_ refusal: Unsubscribing.Refusal) -> (status: Int, html: String) {
        let status: Int
        switch refusal {
        case .notConfigured, .unknown: status = 404
        case .token(.expired): status = 410
        case .token: status = 400
        case .unavailable(let why):
            logger.error("unsubscribe links cannot be checked: \(why)")
            status = 503
        }
        return (status, UnsubscribePage(language: configuration.templates.defaultLanguage).refused(refusal.description))
    }
}
