/// AdamW hyper-parameters, with PyTorch's defaults (`torch.optim.AdamW` except its weight decay,
/// which defaults to 0 here as in the Hugging Face Trainer).
///
/// - `beta1`, `beta2`: decay rates of the first and second moment estimates, in [0, 1).
/// - `epsilon`: added to the bias-corrected √v before dividing (> 0).
/// - `weightDecay`: decoupled decay coefficient λ (≥ 0); each decaying parameter is multiplied by
///   1 − lr·λ before the Adam update.
public struct AdamWConfiguration: Codable, Sendable, Equatable {
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var epsilon: Double = 1e-8
    public var weightDecay: Double = 0

    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0) {
        precondition((0 ..< 1).contains(beta1) && (0 ..< 1).contains(beta2), "AdamW betas must lie in [0, 1)")
        precondition(epsilon > 0 && weightDecay >= 0, "AdamW needs epsilon > 0 and weightDecay >= 0")
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }
}
