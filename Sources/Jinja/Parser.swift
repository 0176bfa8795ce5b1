/// Builds statements from tokens with jinja2's grammar and operator precedence:
/// `x if c else y` < `or` < `and` < `not` < comparisons and `in` < `+ -` < `~` < `* / // %` < `**`
/// < unary `- +` < postfix (`.a`, `[i]`, `[a:b:c]`, calls) < filters `|f` and tests `is t`.
struct Parser {
    private let tokens: [Token]
    private var position = 0
    /// Loops around the statement being parsed (`break` and `continue` need one).
    private var loopDepth = 0
    /// Nesting of statements and sub-expressions being parsed; bounded so a hostile template
    /// (`((((...))))` a million deep) fails cleanly instead of exhausting the stack.
    private var nesting = 0
    static let maximumNesting = 200

    private mutating func enter() throws {
        nesting += 1
        if nesting > Self.maximumNesting {
            throw error("the template nests statements or expressions deeper than \(Self.maximumNesting) levels")
        }
    }

    static func parse(_ tokens: [Token]) throws -> [Statement] {
        var parser = Parser(tokens: tokens)
        let (body, end) = try parser.parseBody(until: [])
        if let end { throw parser.error("Encountered unknown tag '\(end)'.", at: parser.previousLocation) }
        return body
    }

    private init(tokens: [Token]) {
        self.tokens = tokens
    }

    // MARK: - Token access

    private var current: Token { tokens[position] }
    private var previousLocation: SourceLocation { tokens[max(0, position - 1)].location }

    private func error(_ message: String, at location: SourceLocation? = nil) -> JinjaError {
        let place = location ?? current.location
        return JinjaError(.syntax, message, line: place.line, column: place.column)
    }

    private mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func isOp(_ op: String) -> Bool { current.kind == .op(op) }
    private func isName(_ name: String) -> Bool { current.kind == .name(name) }

    private mutating func skip(op: String) -> Bool {
        guard isOp(op) else { return false }
        _ = advance()
        return true
    }

    private mutating func skip(name: String) -> Bool {
        guard isName(name) else { return false }
        _ = advance()
        return true
    }

    private mutating func expect(op: String) throws {
        guard skip(op: op) else { throw error("expected '\(op)', got \(describe(current))") }
    }

    private mutating func expect(name: String) throws {
        guard skip(name: name) else { throw error("expected '\(name)', got \(describe(current))") }
    }

    private mutating func expectName() throws -> String {
        guard case .name(let name) = current.kind else { throw error("expected a name, got \(describe(current))") }
        _ = advance()
        return name
    }

    private mutating func expectBlockEnd() throws {
        guard current.kind == .blockEnd else { throw error("expected the end of the block tag, got \(describe(current))") }
        _ = advance()
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .text: return "text"
        case .variableBegin: return "'{{'"
        case .variableEnd: return "'}}'"
        case .blockBegin: return "'{%'"
        case .blockEnd: return "'%}'"
        case .name(let name): return "'\(name)'"
        case .string(let text): return "string \(text.pythonRepr)"
        case .integer(let number): return "integer \(number)"
        case .float(let number): return "float \(number)"
        case .op(let op): return "'\(op)'"
        case .end: return "end of template"
        }
    }

    // MARK: - Statements

    /// Statements up to a block tag whose name is in `endNames`; returns that name (its tag's
    /// remaining tokens are left for the caller) or nil at the end of the template.
    private mutating func parseBody(until endNames: Set<String>, opener: String? = nil) throws -> ([Statement], String?) {
        var body: [Statement] = []
        while true {
            let token = current
            switch token.kind {
            case .end:
                if let opener {
                    let wanted = endNames.sorted().map { "'\($0)'" }.joined(separator: " or ")
                    throw error("Unexpected end of template. Jinja was looking for the following tags: \(wanted). The innermost block that needs to be closed is '\(opener)'.")
                }
                return (body, nil)
            case .text(let text):
                _ = advance()
                body.append(.text(text))
            case .variableBegin:
                _ = advance()
                let expression = try parseTuple()
                guard current.kind == .variableEnd else { throw error("expected '}}', got \(describe(current))") }
                _ = advance()
                body.append(.output(expression))
            case .blockBegin:
                _ = advance()
                guard case .name(let name) = current.kind else { throw error("tag name expected") }
                if endNames.contains(name) {
                    _ = advance()
                    return (body, name)
                }
                body.append(try parseStatement(name))
            default:
                throw error("unexpected \(describe(token))")
            }
        }
    }

    private mutating func parseStatement(_ name: String) throws -> Statement {
        try enter()
        defer { nesting -= 1 }
        let location = current.location
        _ = advance()
        switch name {
        case "if": return try parseIf()
        case "for": return try parseFor(location)
        case "set": return try parseSet(location)
        case "macro": return try parseMacro()
        case "call": return try parseCallBlock(location)
        case "filter": return try parseFilterBlock()
        case "generation":
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endgeneration"], opener: "generation")
            try expectBlockEnd()
            return .generation(body: body)
        case "break", "continue":
            guard loopDepth > 0 else { throw error("'\(name)' outside loop", at: location) }
            try expectBlockEnd()
            return name == "break" ? .break : .continue
        case "with":
            var assignments: [(Target, Expression)] = []
            while current.kind != .blockEnd {
                if !assignments.isEmpty { try expect(op: ",") }
                let target = try parseAssignTarget()
                try expect(op: "=")
                assignments.append((target, try parseExpression()))
            }
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endwith"], opener: "with")
            try expectBlockEnd()
            return .with(assignments: assignments, body: body)
        case "block":
            _ = try expectName()
            if isName("scoped") || isName("required") { _ = advance() }
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endblock"], opener: "block")
            if case .name = current.kind { _ = advance() }
            try expectBlockEnd()
            return .block(body: body)
        case "include", "import", "from", "extends":
            while current.kind != .blockEnd && current.kind != .end { _ = advance() }
            try expectBlockEnd()
            return .include(location: location)
        default:
            if name.hasPrefix("end") {
                throw error("Encountered unknown tag '\(name)'.", at: location)
            }
            throw error("Encountered unknown tag '\(name)'.", at: location)
        }
    }

    private mutating func parseIf() throws -> Statement {
        var branches: [(condition: Expression, body: [Statement])] = []
        var condition = try parseTuple(withCondexpr: true)
        try expectBlockEnd()
        while true {
            let (body, end) = try parseBody(until: ["elif", "else", "endif"], opener: "if")
            branches.append((condition, body))
            switch end {
            case "elif":
                condition = try parseTuple(withCondexpr: true)
                try expectBlockEnd()
            case "else":
                try expectBlockEnd()
                let (otherwise, _) = try parseBody(until: ["endif"], opener: "if")
                try expectBlockEnd()
                return .if(branches: branches, otherwise: otherwise)
            default:
                try expectBlockEnd()
                return .if(branches: branches, otherwise: [])
            }
        }
    }

    private mutating func parseFor(_ location: SourceLocation) throws -> Statement {
        let target = try parseAssignTarget()
        try expect(name: "in")
        let iterable = try parseTuple(withCondexpr: false, stopNames: ["recursive", "if"])
        var filter: Expression? = nil
        if skip(name: "if") { filter = try parseExpression() }
        let recursive = skip(name: "recursive")
        try expectBlockEnd()
        loopDepth += 1
        let (body, end) = try parseBody(until: ["endfor", "else"], opener: "for")
        loopDepth -= 1
        var otherwise: [Statement] = []
        try expectBlockEnd()
        if end == "else" {
            (otherwise, _) = try parseBody(until: ["endfor"], opener: "for")
            try expectBlockEnd()
        }
        return .for(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise,
                    recursive: recursive, location: location)
    }

    private mutating func parseSet(_ location: SourceLocation) throws -> Statement {
        let target = try parseAssignTarget(allowAttribute: true)
        if skip(op: "=") {
            let value = try parseTuple()
            try expectBlockEnd()
            return .set(target: target, value: value, location: location)
        }
        var filter: Expression? = nil
        if isOp("|") {
            _ = advance()
            filter = try parseFilters(Expression(kind: .literal(.string("")), location: location), startWithFilter: true)
        }
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endset"], opener: "set")
        try expectBlockEnd()
        return .setBlock(target: target, body: body, filter: filter, location: location)
    }

    private mutating func parseAssignTarget(allowAttribute: Bool = false) throws -> Target {
        if skip(op: "(") {
            let inner = try parseAssignTarget(allowAttribute: allowAttribute)
            try expect(op: ")")
            if case .tuple = inner { return inner }
            return .tuple([inner])
        }
        var names: [Target] = []
        repeat {
            if isOp(")") || current.kind == .blockEnd || isOp("=") || isName("in") { break }
            let name = try expectName()
            if allowAttribute && skip(op: ".") {
                names.append(.attribute(object: name, name: try expectName()))
            } else {
                names.append(.name(name))
            }
        } while skip(op: ",")
        guard !names.isEmpty else { throw error("expected a name to assign to") }
        return names.count == 1 && !tokens[position - 1].kind.isComma ? names[0] : .tuple(names)
    }

    private mutating func parseParameters() throws -> [Parameter] {
        var parameters: [Parameter] = []
        try expect(op: "(")
        while !isOp(")") {
            if !parameters.isEmpty { try expect(op: ",") }
            if isOp(")") { break }
            let name = try expectName()
            var defaultValue: Expression? = nil
            if skip(op: "=") { defaultValue = try parseExpression() }
            parameters.append(Parameter(name: name, defaultValue: defaultValue))
        }
        try expect(op: ")")
        return parameters
    }

    private mutating func parseMacro() throws -> Statement {
        let name = try expectName()
        let parameters = try parseParameters()
        try expectBlockEnd()
        let outerLoops = loopDepth
        loopDepth = 0
        defer { loopDepth = outerLoops }
        let (body, _) = try parseBody(until: ["endmacro"], opener: "macro")
        if case .name = current.kind { _ = advance() }
        try expectBlockEnd()
        return .macro(name: name, parameters: parameters, body: body)
    }

    private mutating func parseCallBlock(_ location: SourceLocation) throws -> Statement {
        let parameters = isOp("(") ? try parseParameters() : []
        let call = try parseExpression()
        guard case .call = call.kind else { throw error("expected call", at: call.location) }
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endcall"], opener: "call")
        try expectBlockEnd()
        return .callBlock(call: call, parameters: parameters, body: body, location: location)
    }

    private mutating func parseFilterBlock() throws -> Statement {
        let location = current.location
        let placeholder = Expression(kind: .literal(.string("")), location: location)
        let filter = try parseFilters(placeholder, startWithFilter: true)
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endfilter"], opener: "filter")
        try expectBlockEnd()
        return .filterBlock(filter: filter, body: body)
    }

    // MARK: - Expressions

    /// An expression, or a tuple of them when commas follow (`{{ a, b }}`, `for k, v in ...`).
    private mutating func parseTuple(withCondexpr: Bool = true, stopNames: Set<String> = []) throws -> Expression {
        let location = current.location
        var items: [Expression] = []
        var sawComma = false
        while true {
            if !items.isEmpty {
                guard skip(op: ",") else { break }
                sawComma = true
            }
            if current.kind == .blockEnd || current.kind == .variableEnd || isOp(")")
                || { if case .name(let name) = current.kind { return stopNames.contains(name) } else { return false } }() {
                break
            }
            items.append(withCondexpr ? try parseExpression() : try parseOr())
        }
        if !sawComma {
            guard let single = items.first else { throw error("Expected an expression, got \(describe(current))") }
            return single
        }
        return Expression(kind: .tuple(items), location: location)
    }

    mutating func parseExpression() throws -> Expression {
        let location = current.location
        let value = try parseOr()
        guard skip(name: "if") else { return value }
        let condition = try parseOr()
        let otherwise = skip(name: "else") ? try parseExpression() : nil
        return Expression(kind: .conditional(condition: condition, then: value, otherwise: otherwise), location: location)
    }

    private mutating func parseOr() throws -> Expression {
        try parseChain("or", Expression.Kind.or) { try $0.parseAnd() }
    }

    private mutating func parseAnd() throws -> Expression {
        try parseChain("and", Expression.Kind.and) { try $0.parseNot() }
    }

    /// `operand (keyword operand)*`, grouped to the left (`a or b or c` is `(a or b) or c`); each
    /// node is located at its keyword.
    private mutating func parseChain(_ keyword: String, _ node: (Expression, Expression) -> Expression.Kind,
                                     operand: (inout Parser) throws -> Expression) throws -> Expression {
        var left = try operand(&self)
        while isName(keyword) {
            let location = advance().location
            left = Expression(kind: node(left, try operand(&self)), location: location)
        }
        return left
    }

    private mutating func parseNot() throws -> Expression {
        try enter()
        defer { nesting -= 1 }
        if isName("not") {
            let location = advance().location
            return Expression(kind: .not(try parseNot()), location: location)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> Expression {
        let location = current.location
        let left = try parseMath1()
        var operations: [(String, Expression)] = []
        while true {
            if case .op(let op) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(op) {
                _ = advance()
                operations.append((op, try parseMath1()))
            } else if skip(name: "in") {
                operations.append(("in", try parseMath1()))
            } else if isName("not") && position + 1 < tokens.count && tokens[position + 1].kind == .name("in") {
                _ = advance(); _ = advance()
                operations.append(("not in", try parseMath1()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : Expression(kind: .compare(left, operations), location: location)
    }

    private mutating func parseMath1() throws -> Expression {
        var left = try parseConcat()
        while isOp("+") || isOp("-") {
            let token = advance()
            guard case .op(let op) = token.kind else { break }
            left = Expression(kind: .binary(op, left, try parseConcat()), location: token.location)
        }
        return left
    }

    private mutating func parseConcat() throws -> Expression {
        let location = current.location
        var items = [try parseMath2()]
        while skip(op: "~") { items.append(try parseMath2()) }
        return items.count == 1 ? items[0] : Expression(kind: .concat(items), location: location)
    }

    private mutating func parseMath2() throws -> Expression {
        var left = try parsePow()
        while isOp("*") || isOp("/") || isOp("//") || isOp("%") {
            let token = advance()
            guard case .op(let op) = token.kind else { break }
            left = Expression(kind: .binary(op, left, try parsePow()), location: token.location)
        }
        return left
    }

    private mutating func parsePow() throws -> Expression {
        var left = try parseUnary()
        while isOp("**") {
            let location = advance().location
            left = Expression(kind: .binary("**", left, try parseUnary()), location: location)
        }
        return left
    }

    private mutating func parseUnary(withFilter: Bool = true) throws -> Expression {
        try enter()
        defer { nesting -= 1 }
        let location = current.location
        var node: Expression
        if isOp("-") || isOp("+") {
            guard case .op(let op) = advance().kind else { throw error("unreachable") }
            node = Expression(kind: .unary(op, try parseUnary(withFilter: false)), location: location)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilters(node) }
        return node
    }

    private mutating func parsePrimary() throws -> Expression {
        let token = advance()
        let location = token.location
        switch token.kind {
        case .name(let name):
            switch name {
            case "true", "True": return Expression(kind: .literal(.bool(true)), location: location)
            case "false", "False": return Expression(kind: .literal(.bool(false)), location: location)
            case "none", "None": return Expression(kind: .literal(.none), location: location)
            default: return Expression(kind: .name(name), location: location)
            }
        case .string(var text):
            while case .string(let more) = current.kind {
                text += more
                _ = advance()
            }
            return Expression(kind: .literal(.string(text)), location: location)
        case .integer(let number): return Expression(kind: .literal(.int(number)), location: location)
        case .float(let number): return Expression(kind: .literal(.double(number)), location: location)
        case .op("("):
            if skip(op: ")") { return Expression(kind: .tuple([]), location: location) }
            let inner = try parseTuple()
            try expect(op: ")")
            return inner
        case .op("["):
            var items: [Expression] = []
            while !isOp("]") {
                if !items.isEmpty { try expect(op: ",") }
                if isOp("]") { break }
                items.append(try parseExpression())
            }
            try expect(op: "]")
            return Expression(kind: .list(items), location: location)
        case .op("{"):
            var pairs: [(Expression, Expression)] = []
            while !isOp("}") {
                if !pairs.isEmpty { try expect(op: ",") }
                if isOp("}") { break }
                let key = try parseExpression()
                try expect(op: ":")
                pairs.append((key, try parseExpression()))
            }
            try expect(op: "}")
            return Expression(kind: .dict(pairs), location: location)
        default:
            throw error("unexpected \(describe(token))", at: location)
        }
    }

    private mutating func parsePostfix(_ start: Expression) throws -> Expression {
        var node = start
        while true {
            if isOp(".") {
                let location = advance().location
                switch advance().kind {
                case .name(let name): node = Expression(kind: .attribute(node, name), location: location)
                case .integer(let index): node = Expression(kind: .item(node, Expression(kind: .literal(.int(index)), location: location)), location: location)
                default: throw error("expected name or number after '.'", at: location)
                }
            } else if isOp("[") {
                let location = advance().location
                node = try parseSubscript(node, location)
            } else if isOp("(") {
                let location = current.location
                let (arguments, keywords) = try parseCallArguments()
                node = Expression(kind: .call(node, arguments: arguments, keywords: keywords), location: location)
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ object: Expression, _ location: SourceLocation) throws -> Expression {
        func part() throws -> Expression? {
            isOp(":") || isOp("]") ? nil : try parseExpression()
        }
        let start = try part()
        if skip(op: "]") {
            guard let start else { throw error("expected an index", at: location) }
            return Expression(kind: .item(object, start), location: location)
        }
        try expect(op: ":")
        let stop = try part()
        var step: Expression? = nil
        if skip(op: ":") { step = try part() }
        try expect(op: "]")
        return Expression(kind: .slice(object, start: start, stop: stop, step: step), location: location)
    }

    private mutating func parseCallArguments() throws -> ([Expression], [(String, Expression)]) {
        try expect(op: "(")
        var arguments: [Expression] = []
        var keywords: [(String, Expression)] = []
        while !isOp(")") {
            if !arguments.isEmpty || !keywords.isEmpty { try expect(op: ",") }
            if isOp(")") { break }
            if case .name(let name) = current.kind, position + 1 < tokens.count, tokens[position + 1].kind == .op("=") {
                _ = advance(); _ = advance()
                keywords.append((name, try parseExpression()))
            } else {
                guard keywords.isEmpty else { throw error("positional argument follows keyword argument") }
                arguments.append(try parseExpression())
            }
        }
        try expect(op: ")")
        return (arguments, keywords)
    }

    /// `| name(args)` filters and `is [not] name args` tests, left to right.
    private mutating func parseFilters(_ start: Expression, startWithFilter: Bool = false) throws -> Expression {
        var node = start
        var first = startWithFilter
        while true {
            if first || isOp("|") {
                let location = first ? current.location : advance().location
                first = false
                var name = try expectName()
                while isOp("."), position + 1 < tokens.count, case .name(let part) = tokens[position + 1].kind {
                    _ = advance(); _ = advance()
                    name += "." + part
                }
                var arguments: [Expression] = [], keywords: [(String, Expression)] = []
                if isOp("(") { (arguments, keywords) = try parseCallArguments() }
                node = Expression(kind: .filter(node, name: name, arguments: arguments, keywords: keywords), location: location)
            } else if isName("is") {
                let location = advance().location
                let negated = skip(name: "not")
                let name = try expectName()
                var arguments: [Expression] = []
                if isOp("(") {
                    let (positional, _) = try parseCallArguments()
                    arguments = positional
                } else if startsTestArgument {
                    arguments = [try parsePostfix(try parsePrimary())]
                }
                node = Expression(kind: .test(node, name: name, arguments: arguments, negated: negated), location: location)
            } else {
                return node
            }
        }
    }

    /// Whether a test is followed by one bare argument (`x is divisibleby 3`, `x is sameas none`).
    private var startsTestArgument: Bool {
        switch current.kind {
        case .name(let name): return !["else", "or", "and", "if", "in", "not", "is", "recursive"].contains(name)
        case .string, .integer, .float: return true
        case .op(let op): return op == "[" || op == "{"
        default: return false
        }
    }
}

extension Token.Kind {
    var isComma: Bool { self == .op(",") }
}
