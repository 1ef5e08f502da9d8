import Logging
import Synchronization
import Testing
import TreatyDaemon

@Suite("Journal log lines")
struct JournalLogHandlerTests {
    @Test("each line starts with its syslog priority, so journalctl -p warning shows warnings and errors")
    func priorities() {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "treatyd") { JournalLogHandler(label: $0) { line in lines.withLock { $0.append(line) } } }
        logger.logLevel = .trace
        logger.critical("cannot start")
        logger.error("configuration not reloaded; keeping the one in force", metadata: ["why": "line 1:\nnot JSON"])
        logger.warning("connection refused")
        logger.notice("configuration reloaded")
        logger.info("database open")
        logger.debug("detail")
        let written = lines.withLock { $0 }
        #expect(written.map { $0.prefix(3) } == ["<2>", "<3>", "<4>", "<5>", "<6>", "<7>"])
        #expect(written[1] == "<3>error treatyd: configuration not reloaded; keeping the one in force why=line 1: not JSON\n")
        #expect(written.allSatisfy { $0.dropLast().allSatisfy { !$0.isNewline } }, "one record, one line")
    }

    @Test("only a stderr that is the journal's stream counts as the journal")
    func detection() {
        #expect(!JournalLogHandler.isJournal(environment: [:]))
        #expect(!JournalLogHandler.isJournal(environment: ["JOURNAL_STREAM": "0:0"]))
    }
}
