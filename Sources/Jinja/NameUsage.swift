/// Which of the implicit macro variables a macro body reads (jinja2 lets a macro take extra
/// positional arguments only when it reads `varargs`, and unknown keywords only when it reads
/// `kwargs`), and which filters a body applies.
struct NameUsage {
    var varargs = false
    var kwargs = false
    var filters: Set<String> = []
    /// Whether nested macros count (for `filters`; a nested macro has its own varargs).
    private let enteringMacros: Bool

    init(_ body: [Statement], enteringMacros: Bool = false) {
        self.enteringMacros = enteringMacros
        for statement in body { visit(statement) }
    }

    private mutating func visit(_ statement: Statement) {
        switch statement {
        case .text, .break, .continue, .include: break
        case .output(let expression): visit(expression)
        case .if(let branches, let otherwise):
            for branch in branches { visit(branch.condition); branch.body.forEach { visit($0) } }
            otherwise.forEach { visit($0) }
        case .for(_, let iterable, let filter, let body, let otherwise, _, _):
            visit(iterable)
            if let filter { visit(filter) }
            (body + otherwise).forEach { visit($0) }
        case .set(_, let value, _): visit(value)
        case .setBlock(_, let body, let filter, _): body.forEach { visit($0) }; if let filter { visit(filter) }
        case .with(let assignments, let body):
            assignments.forEach { visit($0.1) }
            body.forEach { visit($0) }
        case .macro(_, let parameters, let body):
            // A nested macro has its own varargs; its filters are still the template's.
            guard enteringMacros else { break }
            parameters.compactMap(\.defaultValue).forEach { visit($0) }
            body.forEach { visit($0) }
        case .callBlock(let call, _, let body, _): visit(call); body.forEach { visit($0) }
        case .filterBlock(let filter, let body): visit(filter); body.forEach { visit($0) }
        case .generation(let body), .block(let body): body.forEach { visit($0) }
        }
    }

    private mutating func visit(_ expression: Expression) {
        switch expression.kind {
        case .literal: break
        case .name(let name):
            if name == "varargs" { varargs = true }
            if name == "kwargs" { kwargs = true }
        case .list(let items), .tuple(let items), .concat(let items): items.forEach { visit($0) }
        case .dict(let pairs): pairs.forEach { visit($0.0); visit($0.1) }
        case .attribute(let object, _): visit(object)
        case .item(let object, let key): visit(object); visit(key)
        case .slice(let object, let start, let stop, let step):
            visit(object)
            [start, stop, step].compactMap { $0 }.forEach { visit($0) }
        case .call(let callee, let arguments, let keywords): visit(callee); arguments.forEach { visit($0) }; keywords.forEach { visit($0.1) }
        case .filter(let input, let name, let arguments, let keywords): filters.insert(name); visit(input); arguments.forEach { visit($0) }; keywords.forEach { visit($0.1) }
        case .test(let input, _, let arguments, _): visit(input); arguments.forEach { visit($0) }
        case .unary(_, let operand), .not(let operand): visit(operand)
        case .binary(_, let left, let right), .and(let left, let right), .or(let left, let right): visit(left); visit(right)
        case .compare(let first, let operations): visit(first); operations.forEach { visit($0.1) }
        case .conditional(let condition, let then, let otherwise):
            visit(condition); visit(then)
            if let otherwise { visit(otherwise) }
        }
    }
}
