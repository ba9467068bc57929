import ArgumentParser
import Foundation
import VigilCore

/// `vigil bounce`: one bounce or complaint report on stdin, from a mail server's pipe.
struct BounceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bounce",
        abstract: "Read one bounce (DSN) or complaint (ARF) report on stdin and act on it.",
        discussion: """
            For a mail server that hands the bounce address's mail to a program (a Postfix \
            pipe transport, procmail). A hard bounce suppresses the address once the count \
            in "mailing.hardBounces" is reached (default 1) and tells the organiser; a \
            complaint stops every list of the recipient at once; a refusal of the sender by \
            the receiving side's policy (5.7.x) alerts the organiser and suppresses nobody. \
            Anything else is ignored. Prints what was done (no address, no name).

            Exit status: 0 when the report was handled or ignored; 75 when the state could \
            not be written (the mail server should try again later).

            Examples:
              vigil bounce --config /etc/vigil/config.json < report.eml
              # Postfix master.cf:  vigil unix - n n - - pipe
              #   flags=Rq user=vigil argv=/usr/bin/vigil bounce --config /etc/vigil/config.json
            """)

    @OptionGroup var common: CommonOptions

    /// Reports larger than this are refused (a DSN quotes at most the original message).
    static let maxBytes = 16 << 20

    func run() throws {
        let configuration = try common.loadConfiguration()
        let store = try common.openStore(for: configuration)
        let input = FileHandle.standardInput.readData(ofLength: Self.maxBytes + 1)
        guard input.count <= Self.maxBytes else {
            Console.error("the report is larger than \(Self.maxBytes >> 20) MB; nothing was done")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        do {
            let outcome = try BounceProcessing(configuration: configuration, store: store)
                .process(Array(input), at: Date())
            Console.out(outcome.rawValue)
        } catch {
            Console.error("the report could not be stored (\(error.description)); try again later")
            throw ExitCode(ExitStatus.locked.rawValue)
        }
    }
}
