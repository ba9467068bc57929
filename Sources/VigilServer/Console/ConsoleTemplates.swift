import Foundation
import Mustache

/// The console's pages as Mustache templates shipped in the binary; a file
/// `NAME.mustache` in `serve.console.templates` replaces the shipped one of that name.
/// Every `{{value}}` is HTML-escaped; `{{{…}}}` is used only for markup the console built
/// itself (the page inside the layout, a chart).
struct ConsoleTemplates: Sendable {
    private let templates: [String: MustacheTemplate]

    /// Why an override could not be used.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(overrides directory: String?) throws(Failure) {
        var compiled: [String: MustacheTemplate] = [:]
        for (name, text) in Self.shipped {
            var source = text
            if let directory {
                let path = directory + "/" + name + ".mustache"
                if let data = FileManager.default.contents(atPath: path) {
                    source = String(decoding: data, as: UTF8.self)
                }
            }
            do {
                compiled[name] = try MustacheTemplate(string: source)
            } catch {
                throw Failure(description: "console template \(name): \(error)")
            }
        }
        templates = compiled
    }

    func render(_ name: String, _ context: [String: Any]) -> String {
        templates[name]?.render(context) ?? ""
    }

    static let shipped: [String: String] = [
        "layout": """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex"><title>{{title}} · {{t.appName}}</title>
        <link rel="stylesheet" href="/console/assets/console.css"></head>
        <body>
        {{#user}}<header><nav>
        <a href="/console"{{#nav.overview}} aria-current="page"{{/nav.overview}}>{{t.overview}}</a>
        <a href="/console/people"{{#nav.people}} aria-current="page"{{/nav.people}}>{{t.people}}</a>
        <a href="/console/held"{{#nav.held}} aria-current="page"{{/nav.held}}>{{t.held}}{{#heldCount}} <span class="badge">{{heldCount}}</span>{{/heldCount}}</a>
        <a href="/console/outbox"{{#nav.outbox}} aria-current="page"{{/nav.outbox}}>{{t.outbox}}</a>
        <a href="/console/events"{{#nav.events}} aria-current="page"{{/nav.events}}>{{t.events}}</a>
        <a href="/console/preview"{{#nav.preview}} aria-current="page"{{/nav.preview}}>{{t.preview}}</a>
        </nav><form method="post" action="/console/logout" class="who"><input type="hidden" name="csrf" value="{{csrf}}">
        <span id="who">{{user}} · {{role}}</span> <button type="submit">{{t.logout}}</button></form></header>{{/user}}
        <main>{{#flash}}<p class="flash" role="status">{{flash}}</p>{{/flash}}{{{content}}}</main>
        <script src="/console/assets/console.js"></script>
        </body></html>
        """,
        "login": """
        <h1>{{t.loginTitle}}</h1>
        {{#noAccounts}}<p class="warn">{{t.noAccounts}}</p>{{/noAccounts}}
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/console/login" class="login">
        <input type="hidden" name="csrf" value="{{loginCSRF}}">
        <label>{{t.user}} <input name="user" id="user" autocomplete="username" required value="{{typedUser}}"></label>
        <label>{{t.password}} <input name="password" id="password" type="password" autocomplete="current-password" required></label>
        <button type="submit" id="login">{{t.login}}</button></form>
        """,
        "overview": """
        <h1>{{t.overview}}</h1>
        <ul class="cards">
        <li><a href="/console/outbox"><strong id="outbox-depth">{{outboxDepth}}</strong> {{t.outboxDepth}}</a></li>
        <li><a href="/console/outbox"><strong id="dead-letters">{{deadLetters}}</strong> {{t.deadLetters}}</a></li>
        <li><a href="/console/held"><strong id="held-waiting">{{heldWaiting}}</strong> {{t.heldWaiting}}</a></li>
        </ul>
        <h2>{{t.sources}}</h2>
        <table class="sources"><thead><tr><th>{{t.source}}</th><th>{{t.health}}</th><th>{{t.lastAttempt}}</th>
        <th>{{t.lastSuccess}}</th><th>{{t.failures}}</th><th>{{t.records}}</th><th>{{t.trend}}</th></tr></thead><tbody>
        {{#sources}}<tr id="source-{{id}}" class="{{#failing}}failing{{/failing}}">
        <td>{{id}}</td><td>{{#failing}}<span class="bad">{{t.failing}}</span> <small>{{failure}}</small>{{/failing}}{{^failing}}{{#ran}}<span class="good">{{t.ok}}</span>{{/ran}}{{^ran}}{{t.neverRun}}{{/ran}}{{/failing}}</td>
        <td>{{lastAttempt}}</td><td>{{lastSuccess}}</td><td>{{streak}}</td><td>{{records}}</td><td>{{{chart}}}</td></tr>
        {{/sources}}</tbody></table>
        """,
        "people": """
        <h1>{{t.people}}</h1>
        <form method="get" action="/console/people" class="search">
        <label>{{t.searchPeople}} <input name="q" id="q" value="{{query}}" autofocus></label>
        <button type="submit" id="search">{{t.search}}</button></form>
        {{^query}}<p>{{t.typeAName}}</p>{{/query}}
        {{#query}}{{^results}}<p id="no-matches">{{t.noMatches}}</p>{{/results}}{{/query}}
        {{#hasResults}}<table class="people"><thead><tr><th>{{t.name}}</th><th>{{t.listedBy}}</th></tr></thead><tbody>{{/hasResults}}
        {{#results}}<tr><td><a href="/console/people/{{link}}">{{name}}</a></td><td>{{#listings}}<span class="listing">{{source}}: {{status}}</span> {{/listings}}</td></tr>{{/results}}
        {{#hasResults}}</tbody></table>{{/hasResults}}
        """,
        "person": """
        <h1 id="person-name">{{name}}</h1>
        <p class="muted">{{t.person}} {{id}}</p>
        <table><thead><tr><th>{{t.source}}</th><th>{{t.name}}</th><th>{{t.status}}</th></tr></thead><tbody>
        {{#listings}}<tr><td>{{source}}:{{key}}</td><td>{{name}}</td><td>{{status}}</td></tr>{{/listings}}
        </tbody></table>
        <h2>{{t.sponsors}}</h2>
        {{^sponsors}}<p>{{t.noSponsors}}</p>{{/sponsors}}
        <ul>{{#sponsors}}<li>{{name}} <small>({{id}})</small></li>{{/sponsors}}</ul>
        <h2>{{t.timeline}}</h2>
        {{^timeline}}<p>{{t.noEvents}}</p>{{/timeline}}
        <ol class="timeline">{{#timeline}}<li><time>{{at}}</time> <strong>{{what}}</strong> <span class="muted">{{source}}</span>
        {{#detail}}<div>{{detail}}</div>{{/detail}}
        {{#hasTold}}<ul class="told">{{/hasTold}}{{#told}}<li>{{t.told}} {{recipient}} · {{output}} · {{state}}</li>{{/told}}{{#hasTold}}</ul>{{/hasTold}}
        </li>{{/timeline}}</ol>
        """,
        "held": """
        <h1>{{t.heldTitle}}</h1>
        {{^items}}<p id="nothing-held">{{t.nothingHeld}}</p>{{/items}}
        {{^canDecide}}{{#hasItems}}<p class="muted">{{t.viewerNote}}</p>{{/hasItems}}{{/canDecide}}
        {{#items}}<section class="held" id="held-{{id}}">
        <h2><a href="/console/people/{{personLink}}">{{name}}</a>: {{what}}</h2>
        <p>{{t.source}} <strong>{{source}}</strong> · {{t.rule}} {{rule}} · {{heldSince}} · {{t.waitingFor}}: {{waitingFor}}</p>
        <h3>{{t.evidence}}</h3><ul>{{#changes}}<li>{{field}}: {{from}} → {{to}}</li>{{/changes}}</ul>
        <h3>{{t.wouldTell}}</h3><ul>{{#wouldTell}}<li>{{recipient}} · {{output}}</li>{{/wouldTell}}</ul>
        {{#canDecide}}{{#decidable}}<div class="actions">
        <form method="post" action="/console/held/{{id}}/approve"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="approve" data-confirm="{{t.approve}}?">{{t.approve}}</button></form>
        <form method="post" action="/console/held/{{id}}/reject"><input type="hidden" name="csrf" value="{{csrf}}">
        <label>{{t.reason}} <input name="reason" required></label> <button type="submit" class="reject">{{t.reject}}</button></form>
        </div>{{/decidable}}{{/canDecide}}
        </section>{{/items}}
        """,
        "outbox": """
        <h1>{{t.outbox}}</h1>
        {{^entries}}<p>{{t.emptyOutbox}}</p>{{/entries}}
        {{#hasEntries}}<table class="outbox"><thead><tr><th>#</th><th>{{t.state}}</th><th>{{t.output}}</th><th>{{t.recipient}}</th>
        <th>{{t.subject}}</th><th>{{t.attempts}}</th><th>{{t.lastError}}</th><th></th></tr></thead><tbody>{{/hasEntries}}
        {{#entries}}<tr id="outbox-{{id}}"><td>{{id}}</td><td>{{state}}</td><td>{{output}}</td><td>{{recipient}}</td><td>{{subject}}</td>
        <td>{{attempts}}</td><td><small>{{lastError}}</small></td><td>{{#canDecide}}
        {{#failed}}<form method="post" action="/console/outbox/{{id}}/retry"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{t.retry}}</button></form>{{/failed}}
        <form method="post" action="/console/outbox/{{id}}/drop"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" data-confirm="{{t.drop}}?">{{t.drop}}</button></form>
        {{/canDecide}}</td></tr>{{/entries}}
        {{#hasEntries}}</tbody></table>{{/hasEntries}}
        """,
        "events": """
        <h1>{{t.events}}</h1>
        <form method="get" action="/console/events" class="filters">
        <label>{{t.source}} <select name="source"><option value="">{{t.any}}</option>{{#sources}}<option{{#selected}} selected{{/selected}}>{{id}}</option>{{/sources}}</select></label>
        <label>{{t.kind}} <select name="kind"><option value="">{{t.any}}</option>{{#kinds}}<option{{#selected}} selected{{/selected}}>{{id}}</option>{{/kinds}}</select></label>
        <label>{{t.person}} <input name="person" value="{{person}}" placeholder="P-17 / ministry:17"></label>
        <label>{{t.from}} <input type="date" name="from" value="{{from}}"></label>
        <label>{{t.to}} <input type="date" name="to" value="{{to}}"></label>
        <button type="submit">{{t.filter}}</button></form>
        {{^events}}<p>{{t.noEvents}}</p>{{/events}}
        {{#hasEvents}}<table class="events"><thead><tr><th>{{t.when}}</th><th>{{t.kind}}</th><th>{{t.source}}</th><th>{{t.what}}</th></tr></thead><tbody>{{/hasEvents}}
        {{#events}}<tr><td>{{at}}</td><td>{{kind}}</td><td>{{source}}</td><td>{{#link}}<a href="/console/people/{{link}}">{{/link}}{{what}}{{#link}}</a>{{/link}}</td></tr>{{/events}}
        {{#hasEvents}}</tbody></table>{{/hasEvents}}
        {{#older}}<p><a href="{{older}}">{{t.older}}</a></p>{{/older}}
        """,
        "preview": """
        <h1>{{t.previewTitle}}</h1>
        <p>{{t.previewHelp}} {{t.nothingSent}}</p>
        <form method="post" action="/console/preview"><input type="hidden" name="csrf" value="{{csrf}}">
        <textarea name="event" id="event" rows="10" required>{{event}}</textarea>
        <button type="submit" id="route">{{t.route}}</button></form>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        {{#routed}}<p id="routed">{{count}} {{t.wouldQueue}}</p>
        <ul>{{#notifications}}<li>{{output}} → {{recipient}}: {{subject}}</li>{{/notifications}}
        {{#held}}<li>⏸ {{t.wouldHold}} {{rule}}: {{confirm}}</li>{{/held}}</ul>{{/routed}}
        """,
        "message": """
        <h1>{{title}}</h1><p>{{message}}</p>
        """,
    ]
}
