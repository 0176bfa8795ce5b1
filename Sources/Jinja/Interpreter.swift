import Foundation

/// Variables of one scope. `for` bodies and macro calls open a scope; `if` does not, so a `set`
/// inside a loop is gone after it (which is why templates use `namespace`).
final class Frame {
    var variables: [String: Value] = [:]
    let parent: Frame?

    init(parent: Frame?) {
        self.parent = parent
    }

    func lookup(_ name: String) -> Value? {
        var frame: Frame? = self
        while let current = frame {
            if let value = current.variables[name] { return value }
            frame = current.parent
        }
        return nil
    }
}

/// Runs one render of a parsed template.
final class Interpreter {
    private let globals: Frame
    private let limits: RenderLimits
    let environment: TemplateEnvironment
    private let deadline: Date
    private var steps = 0
    private var producedBytes = 0
    private var callDepth = 0

    private enum Flow { case normal, breakLoop, continueLoop }

    init(globals: [String: Value], limits: RenderLimits, environment: TemplateEnvironment = .transformers) {
        self.globals = Frame(parent: nil)
        self.globals.variables = globals
        self.limits = limits
        self.environment = environment
        deadline = Date(timeIntervalSinceNow: limits.seconds)
    }

    func render(_ body: [Statement]) throws -> String {
        var out = ""
        _ = try execute(body, in: Frame(parent: globals), into: &out)
        return out
    }

    /// The value of one `{{ expression }}` (undefined raises under `strictUndefined`).
    func evaluateOutput(_ expression: Expression) throws -> Value {
        try strict(try evaluate(expression, in: Frame(parent: globals)), at: expression.location)
    }

    /// `value`, unless it is undefined under `strictUndefined` (then its `UndefinedError`).
    private func strict(_ value: Value, at location: SourceLocation) throws -> Value {
        if environment.strictUndefined, case .undefined(let undefined) = value {
            throw JinjaError.undefined(undefined).located(location)
        }
        return value
    }

    // MARK: - Bounds

    private func step(_ location: SourceLocation) throws {
        steps += 1
        if steps > limits.steps {
            throw JinjaError(.limit, "the template ran more than \(limits.steps) loop iterations and macro calls",
                             line: location.line, column: location.column)
        }
        if steps & 1023 == 0 && Date() > deadline {
            throw JinjaError(.limit, "the template ran longer than \(limits.seconds) seconds", line: location.line, column: location.column)
        }
    }

    private func write(_ text: String, into out: inout String) throws {
        producedBytes += text.utf8.count
        if producedBytes > limits.outputBytes {
            throw JinjaError(.limit, "the template wrote more than \(limits.outputBytes) bytes")
        }
        out += text
    }

    /// Checks a value the template is about to build (`'x' * n`, `range(n)`, `list * n`).
    func checkSize(_ count: Int) throws {
        if count > limits.outputBytes || count > limits.steps * 64 {
            throw JinjaError(.limit, "the template built a value of \(count) elements, more than the render allows")
        }
    }

    // MARK: - Statements

    private func execute(_ statements: [Statement], in frame: Frame, into out: inout String) throws -> Flow {
        for statement in statements {
            switch statement {
            case .text(let text):
                try write(text, into: &out)
            case .output(let expression):
                try write(try strict(try evaluate(expression, in: frame), at: expression.location).pythonStr, into: &out)
            case .if(let branches, let otherwise):
                var taken = false
                for branch in branches where try evaluate(branch.condition, in: frame).isTruthy {
                    taken = true
                    let flow = try execute(branch.body, in: frame, into: &out)
                    if flow != .normal { return flow }
                    break
                }
                if !taken {
                    let flow = try execute(otherwise, in: frame, into: &out)
                    if flow != .normal { return flow }
                }
            case .for(let target, let iterable, let filter, let body, let otherwise, let recursive, let location):
                let items = try evaluate(iterable, in: frame)
                try runLoop(target: target, items: items, filter: filter, body: body, otherwise: otherwise,
                            recursive: recursive, depth0: 0, location: location, in: frame, into: &out)
            case .set(let target, let value, let location):
                try assign(target, try evaluate(value, in: frame), in: frame, location: location)
            case .setBlock(let target, let body, let filter, let location):
                var captured = ""
                _ = try execute(body, in: frame, into: &captured)
                var value = Value.string(captured)
                if let filter { value = try applyFilterChain(filter, to: value, in: frame) }
                try assign(target, value, in: frame, location: location)
            case .with(let assignments, let body):
                let scope = Frame(parent: frame)
                for (target, expression) in assignments {
                    try assign(target, try evaluate(expression, in: frame), in: scope, location: expression.location)
                }
                let flow = try execute(body, in: scope, into: &out)
                if flow != .normal { return flow }
            case .block(let body):
                let flow = try execute(body, in: frame, into: &out)
                if flow != .normal { return flow }
            case .include(let location):
                throw JinjaError(.type, "no loader for this environment specified", line: location.line, column: location.column)
            case .macro(let name, let parameters, let body):
                frame.variables[name] = .callable(makeMacro(name: name, parameters: parameters, body: body, scope: frame))
            case .callBlock(let call, let parameters, let body, let location):
                let caller = makeMacro(name: "caller", parameters: parameters, body: body, scope: frame)
                guard case .call(let callee, let arguments, let keywords) = call.kind else { break }
                let function = try evaluate(callee, in: frame)
                var values = try callArguments(arguments, keywords, in: frame)
                values.keyword.append(("caller", .callable(caller)))
                let result = try invoke(function, values, location: location)
                try write(result.pythonStr, into: &out)
            case .filterBlock(let filter, let body):
                var captured = ""
                _ = try execute(body, in: frame, into: &captured)
                try write(try applyFilterChain(filter, to: .string(captured), in: frame).pythonStr, into: &out)
            case .generation(let body):
                let flow = try execute(body, in: frame, into: &out)
                if flow != .normal { return flow }
            case .break:
                return .breakLoop
            case .continue:
                return .continueLoop
            }
        }
        return .normal
    }

    /// Applies a parsed filter chain (whose input is a placeholder) to `value`.
    private func applyFilterChain(_ filter: Expression, to value: Value, in frame: Frame) throws -> Value {
        let scope = Frame(parent: frame)
        scope.variables["\u{0}filtered"] = value
        return try evaluate(replacePlaceholder(filter, with: Expression(kind: .name("\u{0}filtered"), location: filter.location)), in: scope)
    }

    /// The filter block's chain with its input (a placeholder literal) replaced.
    private func replacePlaceholder(_ expression: Expression, with input: Expression) -> Expression {
        guard case .filter(let inner, let name, let arguments, let keywords) = expression.kind else { return input }
        return Expression(kind: .filter(replacePlaceholder(inner, with: input), name: name, arguments: arguments, keywords: keywords),
                          location: expression.location)
    }

    private func runLoop(target: Target, items value: Value, filter: Expression?, body: [Statement], otherwise: [Statement],
                         recursive: Bool, depth0: Int, location: SourceLocation, in frame: Frame, into out: inout String) throws {
        let scope = Frame(parent: frame)
        var items = try iterate(value).map { $0 }
        if let filter {
            items = try items.filter { item in
                try assign(target, item, in: scope, location: location)
                return try evaluate(filter, in: scope).isTruthy
            }
        }
        var recurse: Callable? = nil
        if recursive {
            recurse = Callable(name: "loop") { [unowned self] arguments in
                guard let inner = arguments.positional.first else { throw JinjaError.type("loop() takes exactly one argument") }
                self.callDepth += 1
                defer { self.callDepth -= 1 }
                if self.callDepth > self.limits.callDepth {
                    throw JinjaError(.limit, "recursive loops nest deeper than \(self.limits.callDepth)", line: location.line, column: location.column)
                }
                var captured = ""
                try self.runLoop(target: target, items: inner, filter: filter, body: body, otherwise: otherwise,
                                 recursive: true, depth0: depth0 + 1, location: location, in: frame, into: &captured)
                return .string(captured)
            }
        }
        // Each iteration is a scope of its own (a `set` in one is gone in the next). As jinja2
        // compiles it, `else` runs unless some iteration reached the end of the body: a loop
        // that breaks or continues on every item runs its `else` too.
        var runsElse = true
        let loop = LoopState(items: items, depth0: depth0, recurse: recurse)
        for (offset, item) in items.enumerated() {
            try step(location)
            loop.index0 = offset
            let iteration = Frame(parent: frame)
            iteration.variables["loop"] = .loop(loop)
            try assign(target, item, in: iteration, location: location)
            let flow = try execute(body, in: iteration, into: &out)
            if flow == .breakLoop { break }
            if flow == .continueLoop { continue }
            runsElse = false
        }
        if runsElse { _ = try execute(otherwise, in: frame, into: &out) }
    }

    private func assign(_ target: Target, _ value: Value, in frame: Frame, location: SourceLocation) throws {
        switch target {
        case .name(let name):
            frame.variables[name] = value
        case .attribute(let object, let name):
            guard case .namespace(let namespace)? = frame.lookup(object) ?? globals.lookup(object) else {
                throw JinjaError(.runtime, "cannot assign attribute on non-namespace object", line: location.line, column: location.column)
            }
            if name.hasPrefix("_") {
                throw JinjaError(.security, "underscore-prefixed namespace attribute \(name.pythonRepr)", line: location.line, column: location.column)
            }
            namespace.attributes[name] = value
        case .tuple(let targets):
            let items = try iterate(value)
            guard items.count == targets.count else {
                let message = items.count > targets.count ? "too many values to unpack (expected \(targets.count))"
                    : "not enough values to unpack (expected \(targets.count), got \(items.count))"
                throw JinjaError(.value, message, line: location.line, column: location.column)
            }
            for (target, item) in zip(targets, items) { try assign(target, item, in: frame, location: location) }
        }
    }

    private func makeMacro(name: String, parameters: [Parameter], body: [Statement], scope: Frame) -> Callable {
        let usage = NameUsage(body)
        return Callable(name: name, kind: .macro) { [unowned self] arguments in
            self.callDepth += 1
            defer { self.callDepth -= 1 }
            if self.callDepth > self.limits.callDepth {
                throw JinjaError(.limit, "macro calls nest deeper than \(self.limits.callDepth) (unbounded recursion in '\(name)'?)")
            }
            let frame = Frame(parent: scope)
            var extra: [Value] = []
            for (offset, value) in arguments.positional.enumerated() {
                if offset < parameters.count { frame.variables[parameters[offset].name] = value } else { extra.append(value) }
            }
            var keywords = Dict()
            for (key, value) in arguments.keyword {
                if parameters.contains(where: { $0.name == key }) || key == "caller" { frame.variables[key] = value } else { keywords[key] = value }
            }
            if !extra.isEmpty && !usage.varargs {
                throw JinjaError.type("macro '\(name)' takes not more than \(parameters.count) argument(s)")
            }
            if let first = keywords.keys.first, !usage.kwargs {
                throw JinjaError.type("macro '\(name)' takes no keyword argument \(first.pythonRepr)")
            }
            for parameter in parameters where frame.variables[parameter.name] == nil {
                if let defaultValue = parameter.defaultValue {
                    frame.variables[parameter.name] = try self.evaluate(defaultValue, in: frame)
                } else {
                    frame.variables[parameter.name] = .undefined(Undefined(message: "parameter '\(parameter.name)' was not provided"))
                }
            }
            frame.variables["varargs"] = .tuple(extra)
            frame.variables["kwargs"] = .dict(keywords)
            var out = ""
            _ = try self.execute(body, in: frame, into: &out)
            return .string(out)
        }
    }

    // MARK: - Expressions

    func evaluate(_ expression: Expression, in frame: Frame) throws -> Value {
        do {
            return try evaluateUnlocated(expression, in: frame)
        } catch let error as JinjaError {
            throw error.located(expression.location)
        }
    }

    private func evaluateUnlocated(_ expression: Expression, in frame: Frame) throws -> Value {
        switch expression.kind {
        case .literal(let value):
            return value
        case .name(let name):
            return frame.lookup(name) ?? .undefined(.name(name))
        case .list(let items):
            return .list(try items.map { try evaluate($0, in: frame) })
        case .tuple(let items):
            return .tuple(try items.map { try evaluate($0, in: frame) })
        case .dict(let pairs):
            var dict = Dict()
            for (key, value) in pairs {
                let keyValue = try evaluate(key, in: frame)
                guard keyValue.isHashable else { throw JinjaError.type("unhashable type: '\(keyValue.typeName)'") }
                dict[keyValue] = try evaluate(value, in: frame)
            }
            return .dict(dict)
        case .attribute(let object, let name):
            return try Members.attribute(try evaluate(object, in: frame), name, interpreter: self)
        case .item(let object, let key):
            return try Members.item(try evaluate(object, in: frame), try evaluate(key, in: frame), interpreter: self)
        case .slice(let object, let start, let stop, let step):
            let value = try evaluate(object, in: frame)
            func bound(_ expression: Expression?) throws -> Int? {
                guard let expression else { return nil }
                switch try evaluate(expression, in: frame) {
                case .none, .undefined: return nil
                case .int(let number): return number
                case .bool(let flag): return flag ? 1 : 0
                default: throw JinjaError.type("slice indices must be integers or None or have an __index__ method")
                }
            }
            return try Members.slice(value, start: try bound(start), stop: try bound(stop), step: try bound(step))
        case .call(let callee, let arguments, let keywords):
            let function = try evaluate(callee, in: frame)
            let values = try callArguments(arguments, keywords, in: frame)
            return try invoke(function, values, location: expression.location)
        case .filter(let input, let name, let arguments, let keywords):
            // The input is evaluated without raising when undefined: `default` and `length` take it.
            // Under strictUndefined only `default` takes an undefined input, as in jinja2.
            var value = try evaluate(input, in: frame)
            if name != "default" && name != "d" { value = try strict(value, at: input.location) }
            return try Filters.apply(name, to: value, try callArguments(arguments, keywords, in: frame), interpreter: self)
        case .test(let input, let name, let arguments, let negated):
            let value = try evaluate(input, in: frame)
            let values = try arguments.map { try evaluate($0, in: frame) }
            let result = try TestPredicates.apply(name, to: value, values, interpreter: self)
            return .bool(result != negated)
        case .unary(let op, let operand):
            return try Operators.unary(op, try evaluate(operand, in: frame))
        case .binary(let op, let left, let right):
            return try Operators.binary(op, try evaluate(left, in: frame), try evaluate(right, in: frame), interpreter: self)
        case .and(let left, let right):
            let value = try evaluate(left, in: frame)
            return value.isTruthy ? try evaluate(right, in: frame) : value
        case .or(let left, let right):
            let value = try evaluate(left, in: frame)
            return value.isTruthy ? value : try evaluate(right, in: frame)
        case .not(let operand):
            return .bool(!(try evaluate(operand, in: frame).isTruthy))
        case .compare(let first, let operations):
            var left = try evaluate(first, in: frame)
            for (op, expression) in operations {
                let right = try evaluate(expression, in: frame)
                guard try Operators.compare(op, left, right) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let condition, let then, let otherwise):
            if try evaluate(condition, in: frame).isTruthy { return try evaluate(then, in: frame) }
            guard let otherwise else {
                return .undefined(Undefined(message: "the inline if-expression on line \(expression.location.line) evaluated to false and no else section was defined."))
            }
            return try evaluate(otherwise, in: frame)
        case .concat(let items):
            let parts = try items.map { try strict(try evaluate($0, in: frame), at: $0.location).pythonStr }
            try checkSize(parts.reduce(0) { $0 + $1.utf8.count })
            return .string(parts.joined())
        }
    }

    private func callArguments(_ arguments: [Expression], _ keywords: [(String, Expression)], in frame: Frame) throws -> Arguments {
        Arguments(try arguments.map { try evaluate($0, in: frame) }, keyword: try keywords.map { ($0.0, try evaluate($0.1, in: frame)) })
    }

    func invoke(_ function: Value, _ arguments: Arguments, location: SourceLocation) throws -> Value {
        switch function {
        case .callable(let callable):
            try step(location)
            return try callable.body(arguments)
        case .loop(let loop):
            guard let recurse = loop.recurse else { throw JinjaError.type("'LoopContext' object is not callable (the loop is not recursive)") }
            return try recurse.body(arguments)
        case .undefined(let undefined):
            throw JinjaError.undefined(undefined)
        default:
            throw JinjaError.type("'\(function.typeName)' object is not callable")
        }
    }

    /// The items `for` and the filters iterate: a list's items, a dict's keys, a string's characters.
    func iterate(_ value: Value) throws -> [Value] {
        switch value {
        case .undefined(let undefined):
            if environment.strictUndefined { throw JinjaError.undefined(undefined) }
            return []
        case .list(let items), .tuple(let items): return items
        case .dict(let dict): return dict.keys
        case .string(let text): return text.unicodeScalars.map { .string(String($0)) }
        case .namespace, .loop, .callable, .none, .bool, .int, .double:
            throw JinjaError.type("'\(value.typeName)' object is not iterable")
        }
    }
}

extension Value {
    var isHashable: Bool {
        switch self {
        case .none, .bool, .int, .double, .string: return true
        default: return false
        }
    }
}
