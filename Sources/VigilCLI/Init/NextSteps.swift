/// The `NEXT-STEPS.txt` that `vigil init` writes beside the configuration.
enum NextSteps {
    static func text(source: InspectedSource, location: (key: String, value: String)) -> String {
        let sourceStep =
            location.key == "path" && location.value == "list.json"
            ? """
            1. Point the source at your list. In config.json, replace "path": "list.json" with
               "url": "https://…" (JSON or CSV), set "records", "key", "name" and "status" to its
               fields, and map its status words in "statusMap". Or start again with
               vigil init DIR --source https://… to have them filled in.
            """
            : """
            1. Check the source's mapping. It was guessed from \(source.recordCount) records of
               \(location.value): key "\(source.key ?? "?")", name "\(source.name ?? "?")", status \
            \(source.status.map { "\"\($0)\"" } ?? "(none found: set \"status\")").
            """
        return """
            Vigil: next steps
            =================

            \(sourceStep)

            2. Validate, and see what the source reads:
                 vigil check --config config.json
                 vigil source test my-list --config config.json

            3. Run once. The first run is a baseline: stored, no notifications.
                 vigil run --config config.json -v

            4. Add real outputs in "outputs" (smtp, matrix, webhook; secrets as ${env:NAME},
               ${file:PATH} or ${credential:NAME}) and send each one a test message:
                 vigil test-output ID --to you@example.org --config config.json

            5. Replace the example sponsor in "recipients" with yours, and give each the keys
               (or person ids) it sponsors. Preview who would hear what:
                 vigil preview --config config.json

            6. Run it for real: every 15 minutes from cron or the vigil-run.timer unit, or as a
               daemon with vigil serve (the vigil.service unit). Back up the state with
                 vigil state backup --config config.json backup.sqlite

            The templates in templates/default/LANGUAGE/ are Vigil's own, copied for you to
            edit; delete any you do not change, so you get Vigil's updates to it.

            """
    }
}
