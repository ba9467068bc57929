/// How long to wait before retrying a notification that failed transiently.
public struct RetryPolicy: Sendable, Equatable {
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// After this long since the notification was queued (or manually retried), a failure is final.
    public var giveUpAfter: Duration

    public init(
        initialDelay: Duration = .seconds(60), maxDelay: Duration = .seconds(6 * 3600),
        giveUpAfter: Duration = .seconds(48 * 3600)
    ) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.giveUpAfter = giveUpAfter
    }

    /// Exponential backoff with jitter over the upper half of each step: `attempts` counts the
    /// attempt that just failed. A destination's own hint (`Retry-After`) wins when longer.
    public func delay(afterAttempts attempts: Int, hint: Duration?) -> Duration {
        let exponent = min(max(attempts - 1, 0), 30)
        let base = min(initialDelay * (1 << exponent), maxDelay)
        let jittered = base / 2 + base / 2 * Double.random(in: 0...1)
        if let hint, hint > jittered { return min(hint, maxDelay) }
        return jittered
    }
}

/// How the delivery engine treats one output.
public struct DeliveryPolicy: Sendable, Equatable {
    public var retry: RetryPolicy
    /// How many batches go to the output at once (SMTP connections, parallel HTTP requests).
    public var concurrency: Int
    /// Notifications per `deliver` call; outcomes are recorded after each batch. It is also how
    /// many notifications a crash in the middle of a batch can send twice (with the same
    /// idempotency key, which receivers deduplicate): smaller is safer, larger is faster.
    public var batchSize: Int

    public init(retry: RetryPolicy = RetryPolicy(), concurrency: Int = 4, batchSize: Int = 100) {
        self.retry = retry
        self.concurrency = concurrency
        self.batchSize = batchSize
    }
}

/// The delivery settings a configuration gives explicitly for one output.
struct DeliveryPolicyOverrides {
    var concurrency: Int?
    var batchSize: Int?
    var initialDelay: Duration?
    var maxDelay: Duration?
    var giveUpAfter: Duration?

    func applied(to defaults: DeliveryPolicy) -> DeliveryPolicy {
        var policy = defaults
        if let concurrency { policy.concurrency = concurrency }
        if let batchSize { policy.batchSize = batchSize }
        if let initialDelay { policy.retry.initialDelay = initialDelay }
        if let maxDelay { policy.retry.maxDelay = maxDelay }
        if let giveUpAfter { policy.retry.giveUpAfter = giveUpAfter }
        return policy
    }
}

extension ObjectReader {
    /// Reads the delivery keys every output accepts: `concurrency`, `batchSize` and
    /// `retry: {"initial": "1m", "max": "6h", "giveUpAfter": "48h"}`.
    mutating func deliveryPolicyOverrides() -> DeliveryPolicyOverrides {
        var overrides = DeliveryPolicyOverrides()
        overrides.concurrency = optionalInteger("concurrency", in: 1...256)
        overrides.batchSize = optionalInteger("batchSize", in: 1...10_000)
        if let found = value("retry"), var retry = reader.object(found, path: path(of: "retry")) {
            overrides.initialDelay = retry.optionalDuration("initial", in: .seconds(1)...(.seconds(86_400)))
            overrides.maxDelay = retry.optionalDuration("max", in: .seconds(1)...(.seconds(30 * 86_400)))
            overrides.giveUpAfter = retry.optionalDuration("giveUpAfter", in: .seconds(60)...(.seconds(365 * 86_400)))
            if let initial = overrides.initialDelay, let max = overrides.maxDelay, initial > max {
                retry.report("\"initial\" is longer than \"max\"")
            }
            retry.finish()
        }
        return overrides
    }
}
