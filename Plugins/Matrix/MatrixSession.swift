import VigilCore

/// What the Matrix output remembers: its access token and device (when it logged in), rooms
/// it resolved, joined or created. Kept in a private file in the state directory, so a
/// direct-message room is created once and a re-login keeps its device (and so its
/// transaction-id deduplication).
actor MatrixSession {
    enum Credentials: Sendable {
        case accessToken(SecretString)
        case password(user: String, password: SecretString)
    }

    private let client: MatrixClient
    private let credentials: Credentials
    private let configDirectory: String
    private let file: PrivateFile?
    private var values: [String: String]
    private var joined: Set<String> = []

    init(client: MatrixClient, credentials: Credentials, configDirectory: String, file: PrivateFile?) {
        self.client = client
        self.credentials = credentials
        self.configDirectory = configDirectory
        self.file = file
        self.values = file?.read() ?? [:]
    }

    /// A usable access token: the configured one, or the stored one, or a fresh login.
    func token() async throws(MatrixError) -> String {
        switch credentials {
        case .accessToken(let secret):
            do {
                return try secret.resolve(directory: configDirectory)
            } catch {
                throw MatrixError(transport: "access token: \(error.description)")
            }
        case .password:
            if let token = values["access_token"] { return token }
            return try await login()
        }
    }

    /// Logs in again after the server rejected the token; false when the token came from the configuration.
    func renewToken() async throws(MatrixError) -> Bool {
        guard case .password = credentials else { return false }
        values["access_token"] = nil
        _ = try await login()
        return true
    }

    private func login() async throws(MatrixError) -> String {
        guard case .password(let user, let secret) = credentials else { return "" }
        let password: String
        do {
            password = try secret.resolve(directory: configDirectory)
        } catch {
            throw MatrixError(transport: "password: \(error.description)")
        }
        let (token, device) = try await client.login(user: user, password: password, deviceID: values["device_id"])
        values["access_token"] = token
        values["device_id"] = device
        save()
        return token
    }

    /// The room a target names: a room id as it is, an alias resolved once, a user's direct
    /// room created once. Joins the room (accepting an invite) the first time.
    func room(for target: String, token: String) async throws(MatrixError) -> String {
        let roomID: String
        if target.hasPrefix("!") {
            roomID = target
        } else if target.hasPrefix("#") {
            if let cached = values["alias:" + target] {
                roomID = cached
            } else {
                roomID = try await client.resolveAlias(target, token: token)
                values["alias:" + target] = roomID
                save()
            }
        } else if target.hasPrefix("@") {
            if let cached = values["direct:" + target] {
                roomID = cached
            } else {
                roomID = try await client.createDirectRoom(with: target, token: token)
                values["direct:" + target] = roomID
                save()
                joined.insert(roomID)
            }
        } else {
            throw MatrixError(transport: "target \"\(target)\" is not a room id (!…), alias (#…) or user id (@…)")
        }
        if !joined.contains(roomID) {
            try await client.join(roomID, token: token)
            joined.insert(roomID)
        }
        return roomID
    }

    private func save() {
        try? file?.write(values)
    }
}

/// Spaces sends to one homeserver: at least `interval` apart, longer after the server says
/// to slow down, so a burst does not trip the rate limit again and again.
actor Pacer {
    private let minimum: Duration
    private var interval: Duration
    private var next = ContinuousClock.now

    init(minimum: Duration) {
        self.minimum = minimum
        interval = minimum
    }

    /// Waits for this send's turn; false (without waiting) when the turn comes after `deadline`.
    func turn(before deadline: ContinuousClock.Instant) async -> Bool {
        let now = ContinuousClock.now
        let slot = max(now, next)
        guard slot <= deadline else { return false }
        next = slot + interval
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
        return true
    }

    /// The server limited us: wait as told, and space later sends further apart.
    func limited(retryAfter: Duration?) {
        let wait = retryAfter ?? .seconds(1)
        next = max(next, ContinuousClock.now + wait)
        interval = min(max(interval * 2, .milliseconds(50)), .seconds(2))
    }

    /// A send went through: relax the spacing back toward the minimum.
    func succeeded() {
        interval = max(minimum, interval * 0.9)
    }
}
