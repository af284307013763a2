-- The shenbao dataset, schema version 1: archived budget declaration forms
-- (财政项目支出绩效目标申报表) as rows, one SQLite file.
--
-- Conventions, so the file stays readable without shenbao:
--   * Money is INTEGER fen (1 yuan = 100 fen), exact whatever unit the form declared
--     (`amount_unit`); columns holding fen end in `_fen`. Views show yuan.
--   * Lists and objects are JSON text (query them with json_each / json_extract).
--   * `record_json` keeps every filing exactly as the contract record
--     (declaration.schema.json); the other columns are that record flattened for querying.
--   * Nothing is deleted: a file whose content changed at the same path is a new version,
--     and the older version's rows keep `superseded` = 1.
-- Comments after a column are its documentation (shown by `shenbao serve`).

-- One row per input file read, including files that could not be read.
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,                 -- absolute path the file was read from
    sha256 TEXT UNIQUE,                 -- SHA-256 of the file's bytes; empty when the file could not be opened
    size INTEGER,                       -- bytes; with mtime_ns lets a re-run skip an unchanged file unread
    mtime_ns INTEGER,                   -- modification time (ns since 1970) when ingested
    format TEXT,                        -- detected format: txt, html, docx, doc, xlsx, xls, pdf, image
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),  -- ok: read; failed: see reason
    reason TEXT,                        -- why a failed file could not be read
    filings INTEGER NOT NULL DEFAULT 0, -- number of filings found in the file
    ingested_at TEXT NOT NULL,          -- when the file was (last) read, UTC ISO 8601
    superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1))  -- 1: a later version of the file at the same path was ingested
);
CREATE INDEX files_path ON files (path);

-- One row per filing (a file may hold several). Flattened from the contract record.
CREATE TABLE filings (
    id TEXT PRIMARY KEY,                -- declaration id: source sha256 + ':' + record_index
    seq INTEGER NOT NULL UNIQUE,        -- ingest order; also this filing's rowid in filings_fts
    file_id INTEGER NOT NULL REFERENCES files (id),  -- the file it was read from
    record_index INTEGER NOT NULL,      -- position of the filing in its file, from 0
    year INTEGER,                       -- budget year the form declares
    filing_unit TEXT,                   -- 填报单位
    project_name TEXT,                  -- 项目名称
    project_code TEXT,                  -- 项目编码
    department TEXT,                    -- 主管部门
    implementing_unit TEXT,             -- 实施单位
    attribute TEXT,                     -- 项目属性: new or continuing
    category TEXT,                      -- 项目类别 (the ticked option or the written value)
    category_options TEXT NOT NULL,     -- JSON list of {label, checked}
    lead TEXT,                          -- 项目负责人
    contact TEXT,                       -- 联系人
    phone TEXT,                         -- 联系电话
    start_date TEXT,                    -- project start, YYYY-MM-DD
    end_date TEXT,                      -- project end, YYYY-MM-DD
    amount_unit TEXT,                   -- unit the form declared (元, 万元, 千元, 亿元); stored amounts are fen regardless
    funding_total_fen INTEGER,          -- 项目总预算, fen
    funding_current_year_fen INTEGER,   -- 当年预算, fen
    funding_fiscal_fen INTEGER,         -- 财政拨款, fen
    funding_fiscal_upper_fen INTEGER,   -- 上级财政拨款, fen
    funding_fiscal_own_fen INTEGER,     -- 本级财政安排, fen
    funding_fiscal_lower_fen INTEGER,   -- 下级财政配套, fen
    funding_other_fen INTEGER,          -- 其他资金, fen
    funding_other_sources TEXT NOT NULL, -- JSON list of {label, amount} (amount in yuan, as in the contract)
    cost_total_fen INTEGER,             -- 金额合计 of the cost breakdown, fen
    form_title TEXT,                    -- title of the form as printed
    form_parts TEXT NOT NULL,           -- JSON list of the form's parts (项目总体情况, 绩效目标, …)
    form_template TEXT,                 -- template identifier, when known
    overview TEXT,                      -- 项目概况
    basis TEXT,                         -- 立项依据
    necessity TEXT,                     -- 必要性
    feasibility TEXT,                   -- 可行性
    resources TEXT,                     -- 项目相关资源投入和制度建设情况
    overall_goals TEXT NOT NULL,        -- JSON list: 项目总目标, one item each
    annual_goal TEXT,                   -- 年度绩效目标
    other_notes TEXT,                   -- 需要说明的其他问题
    activities TEXT NOT NULL,           -- JSON list: 项目构成 / 主体活动, one item each
    unit_head TEXT,                     -- 填报单位负责人
    preparer TEXT,                      -- 填表人
    signed_on TEXT,                     -- 填报日期, YYYY-MM-DD
    source_path TEXT NOT NULL,          -- path as given when the filing was read
    source_format TEXT NOT NULL,        -- format of the source file
    source_method TEXT NOT NULL,        -- text (a text layer) or ocr (a scan)
    unsure TEXT NOT NULL,               -- JSON list of field paths read with doubt
    record_json TEXT NOT NULL,          -- the whole filing as the contract's JSON record
    superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1))  -- 1: its file was replaced by a later version at the same path
);
CREATE INDEX filings_year ON filings (year);
CREATE INDEX filings_unit_year ON filings (filing_unit, year);
CREATE INDEX filings_project_name ON filings (project_name, year);
CREATE INDEX filings_project_code ON filings (project_code, year);
CREATE INDEX filings_file ON filings (file_id);

-- Performance indicators (绩效指标), one row per indicator row of a filing.
CREATE TABLE indicators (
    filing_id TEXT NOT NULL REFERENCES filings (id),  -- the filing
    position INTEGER NOT NULL,          -- order in the filing, from 0 (indicators[position] in the record)
    level1 TEXT NOT NULL,               -- output, outcome, impact, satisfaction, cost, input, other
    level1_raw TEXT,                    -- first-level label as written (产出目标, …)
    level2 TEXT NOT NULL,               -- quantity, quality, timeliness, cost, economic, social, ecological, …
    level2_raw TEXT,                    -- second-level label as written (数量, …)
    name TEXT NOT NULL,                 -- the indicator (三级指标)
    period TEXT,                        -- annual or long_term
    target_raw TEXT,                    -- target value as written (≥95%, 合格, …)
    target_kind TEXT NOT NULL,          -- quantitative, qualitative or empty
    target_op TEXT,                     -- =, >=, <=, >, <
    target_value TEXT,                  -- the number, as written (keeps its precision)
    target_unit TEXT,                   -- the number's unit as written (%, 万元, 个, …)
    note TEXT,                          -- 备注
    PRIMARY KEY (filing_id, position)
);
CREATE INDEX indicators_level ON indicators (level1, level2);

-- Cost breakdown (项目构成分解 / 成本测算), one row per item.
CREATE TABLE cost_items (
    filing_id TEXT NOT NULL REFERENCES filings (id),  -- the filing
    position INTEGER NOT NULL,          -- order in the filing, from 0
    project TEXT,                       -- 项目名称 column
    content TEXT,                       -- 项目内容
    item TEXT NOT NULL,                 -- 项目明细
    amount_fen INTEGER,                 -- 明细金额, fen
    unit_price_fen INTEGER,             -- 单价, fen
    price_basis TEXT,                   -- 单价依据
    quantity TEXT,                      -- 数量, as written
    quantity_basis TEXT,                -- 数量依据
    note TEXT,                          -- 备注
    PRIMARY KEY (filing_id, position)
);

-- Institutional guarantees (制度保障), one row per kind.
CREATE TABLE guarantees (
    filing_id TEXT NOT NULL REFERENCES filings (id),  -- the filing
    position INTEGER NOT NULL,          -- order in the filing, from 0
    kind TEXT NOT NULL,                 -- 项目管理制度, 预算管理制度, 财务管理制度, …
    documents TEXT,                     -- 文件名称
    measures TEXT,                      -- 具体措施
    stage_planning INTEGER,             -- 立项和计划阶段 ticked: 1, not ticked: 0, unknown: empty
    stage_implementation INTEGER,       -- 实施阶段 ticked
    stage_completion INTEGER,           -- 收尾和完成阶段 ticked
    PRIMARY KEY (filing_id, position)
);

-- Documents cited (《title》 and 文号), one row per distinct (title, number) in a filing.
CREATE TABLE citations (
    filing_id TEXT NOT NULL REFERENCES filings (id),  -- the filing
    position INTEGER NOT NULL,          -- order in the filing, from 0
    title TEXT,                         -- title without 《》
    number TEXT,                        -- document number, normalised (沪府办发〔2018〕8号)
    issuer_code TEXT,                   -- what precedes the year in the number (沪府办发)
    year INTEGER,                       -- year in the number
    serial INTEGER,                     -- serial in the number
    PRIMARY KEY (filing_id, position)
);
CREATE INDEX citations_number ON citations (number);

-- Known typos corrected while reading, one row per correction.
CREATE TABLE corrections (
    filing_id TEXT NOT NULL REFERENCES filings (id),  -- the filing
    position INTEGER NOT NULL,          -- order in the filing, from 0
    path TEXT NOT NULL,                 -- field corrected (indicators[0].note, …)
    from_text TEXT NOT NULL,            -- as written
    to_text TEXT NOT NULL,              -- as corrected
    reason TEXT,                        -- why (lexicon, …)
    PRIMARY KEY (filing_id, position)
);

-- What the consistency checks found (finding.schema.json), one row per finding.
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    filing_id TEXT NOT NULL REFERENCES filings (id),  -- the filing the finding is about (Finding.declaration)
    scope TEXT NOT NULL CHECK (scope IN ('filing', 'across')),  -- filing: within one filing; across: compares filings (recomputed after every ingest)
    code TEXT NOT NULL,                 -- finding code (FUND_SUM_MISMATCH, …; see the contract README)
    severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),  -- error, warning or info
    message TEXT NOT NULL,              -- what is wrong, in words
    paths TEXT NOT NULL,                -- JSON list of field paths involved
    evidence TEXT NOT NULL,             -- JSON object: the values that disagree
    related TEXT NOT NULL               -- JSON list of other filings' ids involved
);
CREATE INDEX findings_filing ON findings (filing_id);
CREATE INDEX findings_code ON findings (code, severity);

-- Checks that could not run on a filing because an input was missing (not findings).
CREATE TABLE not_checked (
    id INTEGER PRIMARY KEY,
    filing_id TEXT NOT NULL REFERENCES filings (id),  -- the filing
    code TEXT NOT NULL,                 -- the check's finding code
    reason TEXT NOT NULL                -- the input that was missing
);
CREATE INDEX not_checked_filing ON not_checked (filing_id);

-- Bookkeeping of the dataset itself (key/value).
CREATE TABLE meta (
    key TEXT PRIMARY KEY,               -- across_stale: 1 when cross-filing checks must be rerun
    value TEXT
);

-- Full-text search over names and prose. The text is stored segmented (jieba search-mode
-- words plus every pair of adjacent Chinese characters, space-separated), so a two-character
-- word such as 业委 or 电梯 is a token; rowid = filings.seq. Contentless: it holds the index only.
--   SELECT * FROM filings WHERE seq IN (SELECT rowid FROM filings_fts WHERE filings_fts MATCH '业委')
CREATE VIRTUAL TABLE filings_fts USING fts5 (names, prose, content = '');

-- A project's history across years: one row per current filing, ordered by project and
-- year; `project` is the project code when there is one, else its name. Money in yuan.
CREATE VIEW project_history AS
SELECT
    coalesce(f.project_code, f.project_name) AS project,
    f.year,
    f.filing_unit,
    f.project_name,
    f.project_code,
    f.funding_total_fen / 100.0 AS total_yuan,
    f.funding_current_year_fen / 100.0 AS current_year_yuan,
    f.funding_fiscal_fen / 100.0 AS fiscal_yuan,
    f.cost_total_fen / 100.0 AS cost_total_yuan,
    (SELECT count(*) FROM indicators i WHERE i.filing_id = f.id) AS indicators,
    (SELECT count(*) FROM findings x WHERE x.filing_id = f.id AND x.severity = 'error') AS errors,
    (SELECT count(*) FROM findings x WHERE x.filing_id = f.id AND x.severity = 'warning') AS warnings,
    f.id AS filing_id
FROM filings f
WHERE f.superseded = 0
ORDER BY project, f.year, f.filing_unit;

-- Funding per filing unit per year (current filings), in yuan.
CREATE VIEW unit_funding_by_year AS
SELECT
    filing_unit,
    year,
    count(*) AS filings,
    sum(funding_total_fen) / 100.0 AS total_yuan,
    sum(funding_current_year_fen) / 100.0 AS current_year_yuan,
    sum(funding_fiscal_fen) / 100.0 AS fiscal_yuan,
    sum(funding_other_fen) / 100.0 AS other_yuan
FROM filings
WHERE superseded = 0
GROUP BY filing_unit, year
ORDER BY filing_unit, year;

-- Findings per year, code and severity (current filings).
CREATE VIEW findings_summary AS
SELECT
    f.year,
    x.code,
    x.severity,
    x.scope,
    count(*) AS findings,
    count(DISTINCT x.filing_id) AS filings
FROM findings x
JOIN filings f ON f.id = x.filing_id
WHERE f.superseded = 0
GROUP BY f.year, x.code, x.severity, x.scope
ORDER BY f.year, CASE x.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, x.code;
