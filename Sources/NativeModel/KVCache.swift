/// Keys and values of every position already processed, per sequence ("slot") and layer, so that
/// generation feeds one new token at a time.
public final class KVCache: @unchecked Sendable {
    public let layerCount: Int
    public let kvDim: Int
    /// The most positions each slot can hold.
    public private(set) var capacities: [Int]
    /// Positions filled in each slot.
    public internal(set) var lengths: [Int]
    private(set) var keys: [Tensor]    // per slot: [layers, capacity, kvDim]
    private(set) var values: [Tensor]

    /// A cache for `capacities.count` sequences, slot `i` holding up to `capacities[i]` positions.
    public init(config: TransformerConfig, capacities: [Int]) {
        layerCount = config.layerCount
        kvDim = config.kvDim
        self.capacities = capacities
        lengths = Array(repeating: 0, count: capacities.count)
        keys = capacities.map { Tensor(zeros: [config.layerCount, $0, config.kvDim]) }
        values = capacities.map { Tensor(zeros: [config.layerCount, $0, config.kvDim]) }
    }

    /// Number of slots.
    public var slotCount: Int { capacities.count }

    /// Empties `slot` for a new sequence of up to `capacity` positions (its storage is reused when
    /// large enough): continuous batching hands a finished sequence's slot to the next one.
    public func reset(slot: Int, capacity: Int) {
        lengths[slot] = 0
        guard capacity > capacities[slot] else { return }
        capacities[slot] = capacity
        keys[slot] = Tensor(zeros: [layerCount, capacity, kvDim])
        values[slot] = Tensor(zeros: [layerCount, capacity, kvDim])
    }

    /// Forgets the positions of `slot` after the first `length` (for reuse of a shared prefix).
    public func truncate(slot: Int, to length: Int) {
        precondition(length <= lengths[slot])
        lengths[slot] = length
    }

    /// Copies the first `length` positions of `source`'s slot `sourceSlot` into `slot`, which then
    /// holds exactly those positions (a shared context scored once, continued several ways).
    public func copyPrefix(from source: KVCache, slot sourceSlot: Int, length: Int, into slot: Int) {
        precondition(length <= source.lengths[sourceSlot] && length <= capacities[slot] && kvDim == source.kvDim)
        for layer in 0 ..< layerCount {
            keys(slot: slot, layer: layer).update(from: source.keys(slot: sourceSlot, layer: layer), count: length * kvDim)
            values(slot: slot, layer: layer).update(from: source.values(slot: sourceSlot, layer: layer), count: length * kvDim)
        }
        lengths[slot] = length
    }

    @inline(__always) func keys(slot: Int, layer: Int) -> UnsafeMutablePointer<Float> {
        keys[slot].pointer + layer * capacities[slot] * kvDim
    }

    @inline(__always) func values(slot: Int, layer: Int) -> UnsafeMutablePointer<Float> {
        values[slot].pointer + layer * capacities[slot] * kvDim
    }
}
