import Curl
import Foundation

/// The IMAP mailbox bounces and complaints arrive in (the VERP address's mailbox), read
/// through libcurl:
///
/// ```json
/// "bounceMailbox": {"url": "imaps://imap.example.org/INBOX", "username": "${env:BOUNCE_USER}",
///                   "password": "${env:BOUNCE_PASSWORD}"}
/// ```
///
/// Each poll lists the messages (`UID SEARCH ALL`), fetches each, hands it to
/// ``BounceProcessing``, and deletes it once its outcome is stored; a message whose outcome
/// could not be stored stays for the next poll.
public struct BounceMailbox: Sendable {
    /// `imaps://host[:port]/MAILBOX` (or `imap://` with `insecurePlaintext`).
    public var url: String
    public var username: SecretString
    public var password: SecretString
    public var verifyTLS = true
    public var caFile: String?
    /// `imap://` without TLS: for a mailbox on the same machine only.
    public var plaintext = false
    /// Messages read per poll at most (the rest wait for the next).
    public var batch = 500
    /// How often `vigil serve` polls (a `vigil run` polls once per run).
    public var every: Duration = .seconds(60)

    public init(url: String, username: SecretString, password: SecretString) {
        self.url = url
        self.username = username
        self.password = password
    }

    static func read(_ object: inout ObjectReader) -> BounceMailbox? {
        let url = object.string("url")
        let plaintext = object.optionalBool("insecurePlaintext") ?? false
        if let url {
            let lower = url.lowercased()
            if !(lower.hasPrefix("imaps://") || (plaintext && lower.hasPrefix("imap://"))) {
                object.report(
                    "expected an imaps:// URL with the mailbox, such as \"imaps://imap.example.org/INBOX\" "
                        + "(imap:// needs \"insecurePlaintext\": true)", key: "url")
            } else if url.split(separator: "/", omittingEmptySubsequences: true).count < 3 {
                object.report("the URL names no mailbox; add it, such as \"/INBOX\"", key: "url")
            }
        }
        let username = object.requiredSecret("username")
        let password = object.requiredSecret("password")
        let (verify, caFile) = object.tlsSettings()
        let batch = object.optionalInteger("batch", in: 1...10_000)
        let every = object.optionalDuration("every", in: .seconds(5)...(.seconds(86_400)))
        guard let url, let username, let password else { return nil }
        var mailbox = BounceMailbox(
            url: url.hasSuffix("/") ? String(url.dropLast()) : url, username: username, password: password)
        mailbox.verifyTLS = verify
        mailbox.caFile = caFile
        mailbox.plaintext = plaintext
        if let batch { mailbox.batch = batch }
        if let every { mailbox.every = every }
        return mailbox
    }

    /// What one poll did.
    public struct Poll: Sendable {
        public var read = 0
        public var deleted = 0
        public var outcomes: [BounceProcessing.Outcome] = []
    }

    /// Reads, processes and deletes what the mailbox holds. Throws when the mailbox cannot be
    /// reached or listed; a single message's failure leaves that message in place.
    public func poll(
        curl: CurlEngine, directory: String,
        process: (_ message: [UInt8]) throws(StateError) -> BounceProcessing.Outcome
    ) async throws(MailboxFailure) -> Poll {
        let credentials: (String, String)
        do {
            credentials = (try username.resolve(directory: directory), try password.resolve(directory: directory))
        } catch {
            throw .secret("bounce mailbox credentials: \(error)")
        }
        func request(_ url: String, command: String? = nil) -> CurlRequest {
            var request = CurlRequest(
                url: url, allowedProtocols: plaintext ? "imap,imaps" : "imaps", connectTimeout: .seconds(10),
                totalTimeout: .seconds(60), verifyTLS: verifyTLS, caFile: caFile, maxResponseBytes: 32 << 20)
            request.authentication = .basic(username: credentials.0, password: credentials.1)
            request.customRequest = command
            return request
        }
        let listing: CurlResponse
        do {
            listing = try await curl.perform(request(url, command: "UID SEARCH ALL"))
        } catch {
            throw .unreachable("\(error)")
        }
        let uids = Self.searchResults(listing.body).prefix(batch)
        var poll = Poll()
        var processed: [Int] = []
        for uid in uids {
            let message: CurlResponse
            do {
                message = try await curl.perform(request("\(url)/;UID=\(uid)"))
            } catch {
                continue
            }
            poll.read += 1
            do {
                poll.outcomes.append(try process(message.body))
                processed.append(uid)
            } catch {
                continue
            }
        }
        if !processed.isEmpty {
            // One STORE for every processed message, then EXPUNGE: they are gone together.
            let set = processed.map(String.init).joined(separator: ",")
            do {
                _ = try await curl.perform(request(url, command: "UID STORE \(set) +FLAGS.SILENT (\\Deleted)"))
                _ = try await curl.perform(request(url, command: "EXPUNGE"))
                poll.deleted = processed.count
            } catch {
                // Processing is idempotent per message only for suppressions; counts would
                // double on a second read, so say so.
                throw .unreachable("processed messages could not be deleted: \(error)")
            }
        }
        return poll
    }

    /// The numbers of `* SEARCH 1 2 3` lines.
    static func searchResults(_ body: [UInt8]) -> [Int] {
        var numbers: [Int] = []
        for line in String(decoding: body, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ")
            guard words.count >= 2, words[0] == "*", words[1].uppercased() == "SEARCH" else { continue }
            numbers += words.dropFirst(2).compactMap { Int($0) }
        }
        return numbers
    }

    /// Why a mailbox poll failed as a whole.
    public enum MailboxFailure: Error, Sendable, CustomStringConvertible {
        case secret(String)
        case unreachable(String)

        public var description: String {
            switch self {
            case .secret(let why): why
            case .unreachable(let why): "the bounce mailbox could not be read: \(why)"
            }
        }
    }
}
