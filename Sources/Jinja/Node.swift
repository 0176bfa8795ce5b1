/// A template's statements, as the parser builds them.
indirect enum Statement: Sendable {
    case text(String)
    case output(Expression)
    case `if`(branches: [(condition: Expression, body: [Statement])], otherwise: [Statement])
    case `for`(target: Target, iterable: Expression, filter: Expression?, body: [Statement], otherwise: [Statement],
               recursive: Bool, location: SourceLocation)
    case set(target: Target, value: Expression, location: SourceLocation)
    /// `{% set x %}...{% endset %}`, optionally `{% set x | filter %}`: `filter` has a placeholder input.
    case setBlock(target: Target, body: [Statement], filter: Expression?, location: SourceLocation)
    /// `{% with a = 1 %}...{% endwith %}`: the names exist only inside.
    case with(assignments: [(Target, Expression)], body: [Statement])
    /// `{% block name %}`: without inheritance, its body renders in place.
    case block(body: [Statement])
    /// `{% include %}`, `{% import %}`, `{% extends %}`: a chat template has no loader, so these
    /// fail when reached, as in transformers.
    case include(location: SourceLocation)
    case macro(name: String, parameters: [Parameter], body: [Statement])
    case callBlock(call: Expression, parameters: [Parameter], body: [Statement], location: SourceLocation)
    case filterBlock(filter: Expression, body: [Statement])
    /// `{% generation %}`: transformers' assistant-mask marker; renders its body unchanged.
    case generation(body: [Statement])
    case `break`, `continue`
}

/// What `set` and `for` assign to: a name, `ns.attribute`, or a tuple of names.
enum Target: Sendable {
    case name(String)
    case attribute(object: String, name: String)
    case tuple([Target])
}

/// A macro's parameter, with its default.
struct Parameter: Sendable {
    var name: String
    var defaultValue: Expression?
}

/// An expression with where it starts in the source (errors name that place).
struct Expression: Sendable {
    indirect enum Kind: Sendable {
        case literal(Value)
        case name(String)
        case list([Expression])
        case tuple([Expression])
        case dict([(Expression, Expression)])
        case attribute(Expression, String)
        case item(Expression, Expression)
        case slice(Expression, start: Expression?, stop: Expression?, step: Expression?)
        case call(Expression, arguments: [Expression], keywords: [(String, Expression)])
        case filter(Expression, name: String, arguments: [Expression], keywords: [(String, Expression)])
        case test(Expression, name: String, arguments: [Expression], negated: Bool)
        case unary(String, Expression)
        case binary(String, Expression, Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)
        case not(Expression)
        case compare(Expression, [(String, Expression)])
        case conditional(condition: Expression, then: Expression, otherwise: Expression?)
        case concat([Expression])
    }

    var kind: Kind
    var location: SourceLocation
}
