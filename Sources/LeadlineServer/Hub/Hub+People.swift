import Foundation
import LeadlineCore
import LeadlineWire

/// Logging in, and managing people over the wire. Token hashing is slow on purpose
/// (a little), so it runs on `authQueue` and hands its result back to the hub.
extension Hub {
    func login(name: String, token: String, tag: String?, from c: Connection) {
        if let current = c.session.person {
            c.send(encoder.error(tag: tag, CommandError(
                .invalid, fields: [Field("user", current.name)],
                "already logged in as \(current.name); QUIT and reconnect to log in as someone else")))
            return
        }
        let known = shop.account(name)
        c.session.awaitingReply = true
        logins.enqueue(LoginCheck(connection: c, name: name, token: token, tag: tag, hash: known?.tokenHash ?? TokenHasher.decoy,
                                  known: known != nil),
                       from: c.peer.limitKey, now: monotonicSeconds())
        checkNextLogin()
    }

    /// Starts the next token check, if none is running: one at a time on `authQueue`,
    /// in the order ``LoginQueue`` decides.
    func checkNextLogin() {
        guard !checkingLogin, let check = logins.next(now: monotonicSeconds()) else { return }
        checkingLogin = true
        authQueue.async { [self] in
            let matches = TokenHasher.verify(check.token, hash: check.hash) && check.known
            queue.async { [self] in
                checkingLogin = false
                finishLogin(check, matches: matches)
                checkNextLogin()
            }
        }
    }

    private func finishLogin(_ check: LoginCheck, matches: Bool) {
        let c = check.connection
        guard c.state == .open else { return }
        let name = check.name
        // The person may have been removed, or given a new token, meanwhile (decided,
        // if not yet durable).
        guard matches, let person = shop.account(name), person.tokenHash == check.hash else {
            loginFailed(name: name, tag: check.tag, c)
            return
        }
        let address = c.peer.limitKey
        logins.succeeded(from: address, now: monotonicSeconds())
        pending.remove(c.id, from: address)
        guard loggedIn < limits.maxConnections else {
            c.sayGoodbye("BUSY", "the server has as many people connected as it takes (\(limits.maxConnections)); try again shortly")
            return
        }
        c.session.person = person
        loggedIn += 1
        c.session.loginFailures = 0
        log("\(c.peer) logged in as \(name) (\(person.role.rawValue))")
        c.send(encoder.ok(tag: check.tag, verb: "LOGIN", fields: [Field("user", name), Field("role", person.role.rawValue)]))
        resume(c)
    }

    private func loginFailed(name: String, tag: String?, _ c: Connection) {
        c.session.loginFailures += 1
        let failures = c.session.loginFailures
        let delay = logins.failed(from: c.peer.limitKey, connectionFailures: failures, now: monotonicSeconds())
        log("\(c.peer) failed login as \(name) (\(failures) of \(limits.maxLoginFailures))")
        queue.asyncAfter(deadline: .now() + delay) { [self] in
            guard c.state == .open else { return }
            c.send(encoder.error(tag: tag, CommandError(.auth, "wrong name or token")))
            if failures >= limits.maxLoginFailures {
                c.sayGoodbye("AUTH", "too many failed logins")
            } else {
                resume(c)
            }
        }
    }

    /// `USER ADD / TOKEN / REMOVE`. The rules are the core's; a new token is made and
    /// hashed off the hub queue, and answered once (never journaled, never replayed).
    func managePeople(_ request: Request, tag: String?, from c: Connection) {
        switch request {
        case .removeUser(let name):
            submit(.removePerson(name: name), tag: tag, verb: "USER", from: c, remember: false)
        case .addUser, .issueToken:
            guard let person = c.session.person else { return }
            let token = TokenHasher.newToken()
            let probe: Command
            switch request {
            case .addUser(let name, let role): probe = .addPerson(name: name, role: role, tokenHash: "")
            case .issueToken(let name): probe = .replaceToken(name: name, tokenHash: "")
            default: return
            }
            // Check the rules before paying for a hash.
            if case .failure(let error) = shop.decide(probe, by: person, at: config.clock.now) {
                c.send(encoder.error(tag: tag, error))
                return
            }
            c.session.awaitingReply = true
            authQueue.async { [self] in
                let hash = TokenHasher.hash(token)
                queue.async { [self] in
                    guard c.state == .open else { return }
                    let command: Command
                    switch probe {
                    case .addPerson(let name, let role, _): command = .addPerson(name: name, role: role, tokenHash: hash)
                    case .replaceToken(let name, _): command = .replaceToken(name: name, tokenHash: hash)
                    default: return
                    }
                    c.session.awaitingReply = false
                    submit(command, tag: tag, verb: "USER", from: c, remember: false,
                           extraReply: [Field("token", token)], message: "the token is shown only this once")
                    if !c.session.awaitingReply { resume(c) }
                }
            }
        default:
            break
        }
    }

    /// Why a logged-in session no longer speaks for its person, if it does not: the
    /// account it logged in with was removed, or given a new token, by a decided change
    /// (durable or not yet).
    func revocation(of c: Connection) -> String? {
        guard let person = c.session.person else { return nil }
        // No account changed since this one was last found as it was: nothing to look up.
        let generation = shop.accountsGeneration
        if c.session.accountCheckedAt == generation { return nil }
        guard let current = shop.account(person.name) else { return "your account was removed; this session has ended" }
        guard current == person else { return "your token was replaced; log in with the new one" }
        c.session.accountCheckedAt = generation
        return nil
    }

    /// A person was removed or given a new token: their open sessions end. A session
    /// ends when the account it logged in with is gone or no longer the same.
    func peopleChanged(_ event: Event) {
        let name: String
        let reason: String
        switch event.change {
        case .personRemoved(let n):
            (name, reason) = (n, "your account was removed")
        case .personSaved(let person):
            (name, reason) = (person.name, "your token was replaced; log in with the new one")
        default:
            return
        }
        for c in connections.values where c.session.person?.name == name && c.session.person != shop.durable.people[name] {
            // Read nothing more; once the answers it is owed have gone (its pipelined
            // changes, refusals queued behind them), the requests it already sent are
            // answered, each refused, before the goodbye.
            c.session.awaitingReply = true
            let held = c.session.held
            c.session.held = nil
            shop.afterPendingWrites { [self] _ in
                if let held { c.send(encoder.error(tag: held.tag, CommandError(.auth, reason))) }
                while let frame = c.framer.next() {
                    guard case .line(let text) = frame, let decoded = RequestDecoder.decode(text) else { continue }
                    let tag: String?
                    switch decoded {
                    case .success(let r): tag = r.tag
                    case .failure(let e): tag = e.tag
                    }
                    c.send(encoder.error(tag: tag, CommandError(.auth, reason)))
                }
                c.sayGoodbye("AUTH", reason)
            }
        }
    }
}

/// A login waiting for its token check.
struct LoginCheck {
    let connection: Connection
    let name: String
    let token: String
    let tag: String?
    /// The stored hash to check against (a decoy for an unknown name, so both cost the same).
    let hash: String
    let known: Bool
}
