import Foundation
internal import GRDB
internal import GRDBSQLite

extension Statement {
    /// Runs the statement once with `values` bound to its parameters in order, straight through
    /// SQLite's C API. A campaign stores hundreds of thousands of rows; GRDB's general argument
    /// path (`StatementArguments`, a nested binding closure per column) cost more than SQLite's
    /// own insert of each.
    /// - Throws: `DatabaseError` with SQLite's code and message.
    func executeBound(_ values: [DatabaseValue], in db: Database) throws {
        let statement = sqliteStatement
        sqlite3_reset(statement)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (i, value) in values.enumerated() {
            let code = Self.bind(value, at: CInt(i + 1), to: statement)
            guard code == SQLITE_OK else { throw Self.error(code, db) }
        }
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else { throw Self.error(code, db) }
    }

    /// SQLite copies what it is given (`SQLITE_TRANSIENT`), so the bytes need not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ value: DatabaseValue, at index: CInt, to statement: SQLiteStatement) -> CInt {
        switch value.storage {
        case .null: return sqlite3_bind_null(statement, index)
        case .int64(let int): return sqlite3_bind_int64(statement, index, int)
        case .double(let double): return sqlite3_bind_double(statement, index, double)
        case .string(var string):
            return string.withUTF8 { text in
                // An empty buffer may have no address; SQLite would read a null pointer as NULL.
                withUnsafePointer(to: 0 as CChar) { empty in
                    sqlite3_bind_text(statement, index, text.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) } ?? empty,
                                      CInt(text.count), transient)
                }
            }
        case .blob(let data):
            return data.withUnsafeBytes { bytes in
                withUnsafePointer(to: 0 as UInt8) { empty in
                    sqlite3_bind_blob(statement, index, bytes.baseAddress ?? UnsafeRawPointer(empty), CInt(bytes.count), transient)
                }
            }
        }
    }

    private static func error(_ code: CInt, _ db: Database) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }
}
