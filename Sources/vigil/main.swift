import VigilCLI
import VigilCore
import VigilMatrix
import VigilSMTP
import VigilWebhook

// The `vigil` program: the command line of VigilCLI with the plugins Vigil ships.
await VigilCommand.main(
    plugins: VigilPlugins(
        outputs: OutputRegistry([
            StdoutOutputFactory(), SMTPOutputFactory(), MatrixOutputFactory(), WebhookOutputFactory(),
        ])))
