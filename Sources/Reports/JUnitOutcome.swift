extension JUnitTestCase {
    /// How one JUnit test case ended.
    ///
    /// The reports module renders the outcome it is given; deciding it (for example from a gate) is the
    /// caller's job.
    public enum Outcome: Sendable, Codable, Hashable {
        /// The case passed: no child element is written.
        case passed
        /// An assertion did not hold (a `<failure>` element): `message` is the one-line summary that test
        /// viewers show, `type` an optional category (such as `gate.fail`), `details` the longer body.
        case failure(message: String, type: String? = nil, details: String? = nil)
        /// The case could not be carried out (an `<error>` element), for example because the model
        /// failed to load. `message` is the summary and `details` the longer body.
        case error(message: String, details: String? = nil)
        /// The case was not run (a `<skipped>` element), with an optional reason.
        case skipped(message: String? = nil)

        /// Whether this is ``failure(message:type:details:)``.
        public var isFailure: Bool { if case .failure = self { true } else { false } }
        /// Whether this is ``error(message:details:)``.
        public var isError: Bool { if case .error = self { true } else { false } }
        /// Whether this is ``skipped(message:)``.
        public var isSkipped: Bool { if case .skipped = self { true } else { false } }
    }
}
