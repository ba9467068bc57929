import VigilCLI
import VigilCommandSource
import VigilCore
import VigilFeed
import VigilHTML
import VigilMatrix
import VigilSMTP
import VigilWebhook
import VigilXLSX

// The `vigil` program: the command line of VigilCLI with the plugins Vigil ships.
await VigilCommand.main(
    plugins: VigilPlugins(
        outputs: OutputRegistry([
            StdoutOutputFactory(), SMTPOutputFactory(), MatrixOutputFactory(), WebhookOutputFactory(),
        ]),
        sources: SourceRegistry(
            SourceRegistry.builtIn + [
                HTMLSourceReaderFactory(
                    linkedTypes: [CSVSourceReaderFactory(), JSONSourceReaderFactory(), XLSXSourceReaderFactory()]),
                FeedSourceReaderFactory(), XLSXSourceReaderFactory(), CommandSourceReaderFactory(),
            ])))
