extension String {
    /// The same text in storage of its own. A parser copied to several threads gives each copy
    /// its own file name: every line's scanner retains it, and threads retaining one shared
    /// string fight over its reference count's cache line.
    var withOwnStorage: String { String(decoding: Array(utf8), as: UTF8.self) }
}
