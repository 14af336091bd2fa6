import Foundation
internal import GRDB
internal import GRDBSQLite

extension Statement {
    /// Runs the statement once with the values `encode` gives bound to its parameters in order,
    /// straight through SQLite's C API. A campaign stores hundreds of thousands of rows; GRDB's
    /// general argument path (`StatementArguments`, a nested binding closure per column) and
    /// even an array of `DatabaseValue`s per row cost more than SQLite's own insert of each.
    /// - Throws: `DatabaseError` with SQLite's code and message.
    func executeBound(in db: Database, _ encode: (inout StatementBinder) -> Void) throws {
        let statement = sqliteStatement
        sqlite3_reset(statement)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        var binder = StatementBinder(statement: statement)
        encode(&binder)
        guard binder.code == SQLITE_OK else { throw Self.error(binder.code, db) }
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else { throw Self.error(code, db) }
    }

    /// Runs the statement once with one text parameter.
    func executeBound(_ text: String, in db: Database) throws {
        try executeBound(in: db) { $0.add(text) }
    }

    private static func error(_ code: CInt, _ db: Database) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }
}

/// Binds column values to a statement's parameters in order; the first failure's code is kept
/// (and the values after it ignored).
struct StatementBinder: ColumnSink {
    fileprivate let statement: SQLiteStatement
    private var index: CInt = 1
    fileprivate private(set) var code = SQLITE_OK

    fileprivate init(statement: SQLiteStatement) {
        self.statement = statement
    }

    /// SQLite copies what it is given (`SQLITE_TRANSIENT`), so the bytes need not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private mutating func bind(_ body: (SQLiteStatement, CInt) -> CInt) {
        guard code == SQLITE_OK else { return }
        code = body(statement, index)
        index += 1
    }

    mutating func add(_ value: Int64) { bind { sqlite3_bind_int64($0, $1, value) } }
    mutating func add(_ value: Double) { bind { sqlite3_bind_double($0, $1, value) } }
    mutating func addNull() { bind { sqlite3_bind_null($0, $1) } }

    mutating func add(_ value: String) {
        var text = value
        bind { statement, index in
            text.withUTF8 { bytes in
                // An empty buffer may have no address; SQLite would read a null pointer as NULL.
                withUnsafePointer(to: 0 as CChar) { empty in
                    sqlite3_bind_text(statement, index, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) } ?? empty,
                                      CInt(bytes.count), Self.transient)
                }
            }
        }
    }
}
