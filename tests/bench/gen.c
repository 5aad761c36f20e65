/*
 * gen.c: deterministic generator of synthetic Internet-governance policy prose,
 * the input of `make bench` (tests/bench/run.sh).  Not part of igmap.
 *
 *   gen OUTDIR SIZE_MB [SEED]
 *
 * writes OUTDIR/manifest.csv (id,path,process,date,submitter,
 * stakeholder_group,country,region,language), OUTDIR/docs/NNNNN.txt (about 5%
 * as NNNNN.txt.gz, gzip via zlib) and OUTDIR/gen.info (counts, for the bench),
 * adding documents until their text (decompressed) reaches SIZE_MB * 10^6
 * bytes.  Document lengths are log-uniform between 1 kB and 58 kB (a document
 * stops after the sentence that crosses its target, so none exceeds 60 kB).
 *
 * Why it looks the way it does.  The bench must exercise what real
 * submissions exercise: a field vocabulary (multistakeholder and its hyphen
 * and U+2011 spellings, "equal footing", enhanced cooperation, ICANN, ITU,
 * ...), function words, a Zipf-distributed tail of general English plus
 * generated rare words, so that the vocabulary keeps growing with corpus size
 * as in real text (Heaps' law, exponent about 0.64: igmap indexes 37k terms
 * at 10 MB, 161k at 100 MB, 714k at 1 GB),
 * numbers, references and abbreviations (para., No., e.g., U.S.), headings
 * ("Question N" questionnaires, roman-numbered sections), paragraphs,
 * hard-wrapped and CRLF files, curly quotes, en dashes and accented names in
 * a small share of the bytes.
 *
 * Determinism: every document draws from its own xoshiro256** stream seeded
 * by splitmix64(SEED, document number); nothing depends on time, locale,
 * addresses or the C library's rand().  Same seed and size, same bytes
 * (gzip members use a fixed header: mtime 0, OS 3).  A smaller corpus with the
 * same seed is a prefix of a larger one.
 *
 * Speed: one thread; 1 GB (70,000 files) takes 11-13 s on the 2-core bench
 * machine, about 7 s of it in user space (text and gzip) and the rest in the
 * kernel creating files.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define GEN_VERSION 1   /* bump when the output for a given seed changes */

/* ---- PRNG: splitmix64 to seed, xoshiro256** to draw ---------------------- */

typedef struct { uint64_t s[4]; } rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return res;
}

/* Uniform in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-32). */
static inline uint32_t rng_below(rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline double rng_unit(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* 1 with probability pct/100. */
static inline int rng_pct(rng *r, unsigned pct) { return rng_below(r, 100) < pct; }

/* Uniform in [lo, hi]. */
static inline int rng_range(rng *r, int lo, int hi) { return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1)); }

/* ---- output buffer (a program, not a library: out of memory ends it) ---- */

typedef struct { char *p; size_t n, cap; } buf;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void b_grow(buf *b, size_t more)
{
    if (b->n + more <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + more)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        die("out of memory");
    b->p = p;
    b->cap = cap;
}

static inline void b_put(buf *b, const char *s, size_t n)
{
    b_grow(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static inline void b_puts(buf *b, const char *s) { b_put(b, s, strlen(s)); }
static inline void b_putc(buf *b, char c) { b_grow(b, 1); b->p[b->n++] = c; }

static void b_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void b_printf(buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0)
        die("vsnprintf failed");
    b_put(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

/* ---- vocabulary of the field -------------------------------------------
 * Template codes (expand()): %A actor (sets number), %V reporting verb
 * agreeing with the last actor, %v policy verb (bare), %N noun phrase of the
 * field, %J adjective of the field, %P principle/manner phrase, %O
 * organisation or mechanism, %C country, %R reference, %Y year, %D date,
 * %# quantity, %Q quoted term, %E e.g./i.e. aside, %n %j %b %w %i %r general
 * noun, adjective, verb (bare, 3rd person/past, -ing) and adverb drawn from a
 * Zipf law with a generated tail, %G a short general noun phrase, %% percent.
 * "\xe2\x80\x99" is U+2019, "\xe2\x80\x93" U+2013, "\xe2\x80\x91" U+2011,
 * "\xe2\x80\x9c"/"\xe2\x80\x9d" curly double quotes. */

#define RQ "\xe2\x80\x99"   /* right single quote, the typographic apostrophe */
#define ND "\xe2\x80\x93"   /* en dash */
#define NBH "\xe2\x80\x91"  /* non-breaking hyphen U+2011 */
#define LDQ "\xe2\x80\x9c"
#define RDQ "\xe2\x80\x9d"

static const char *const NPHRASE[] = {
    "enhanced cooperation", "the multistakeholder model", "the multi-stakeholder approach",
    "multistakeholder governance", "the Multi" NBH "Stakeholder model", "multi-stakeholder participation",
    "the Internet Governance Forum", "Internet governance", "the governance of the Internet",
    "global Internet governance", "the digital divide", "capacity building", "capacity-building",
    "critical Internet resources", "the domain name system", "the root zone", "IP addresses",
    "Internet exchange points", "international public policy issues",
    "Internet-related public policy issues", "public policy issues pertaining to the Internet",
    "the IANA stewardship transition", "the Tunis Agenda", "the Geneva Declaration of Principles",
    "the Geneva Plan of Action", "the WSIS outcomes", "the WSIS action lines",
    "the Sustainable Development Goals", "the 2030 Agenda", "national sovereignty",
    "State sovereignty", "digital sovereignty", "the sovereign right of States",
    "sovereignty in cyberspace", "human rights online", "freedom of expression",
    "the right to privacy", "data protection", "personal data", "cross-border data flows",
    "the free flow of information", "cybersecurity", "cyber security", "cyber-security",
    "information security", "international information security", "the security of ICTs",
    "confidence-building measures", "norms of responsible State behaviour",
    "voluntary, non-binding norms", "international law", "the Charter of the United Nations",
    "the UN Charter", "a legally binding instrument", "a regular institutional dialogue",
    "the Programme of Action", "the rule of law", "net neutrality", "network neutrality",
    "the public core of the Internet", "the open Internet", "a single, interoperable Internet",
    "Internet fragmentation", "the stability and resilience of the Internet",
    "the security, stability and resilience of the Internet", "interconnection costs",
    "international Internet connectivity", "universal access", "meaningful connectivity",
    "affordable access", "broadband infrastructure", "local content", "multilingualism",
    "internationalized domain names", "cultural diversity", "gender equality",
    "the gender digital divide", "persons with disabilities", "developing countries",
    "least developed countries", "small island developing States",
    "landlocked developing countries", "emerging economies", "the private sector",
    "civil society", "the technical community", "the academic community",
    "intergovernmental organizations", "international organisations", "all stakeholders",
    "relevant stakeholders", "governments", "public authorities", "national regulators",
    "law enforcement agencies", "the judiciary", "Member States", "cybercrime", "spam",
    "malware", "botnets", "ransomware", "child online protection", "online harms",
    "disinformation", "hate speech", "content moderation", "platform accountability",
    "intermediary liability", "artificial intelligence", "the Internet of Things",
    "cloud computing", "emerging technologies", "e-commerce", "electronic commerce",
    "the digital economy", "digital trade", "taxation of the digital economy",
    "competition policy", "consumer protection", "intellectual property", "open standards",
    "interoperability", "the end-to-end principle", "IPv6 deployment", "the transition to IPv6",
    "DNSSEC", "routing security", "the RPKI", "public policy", "policy development",
    "decision-making", "the decision-making process", "bottom-up policy development",
    "consensus-based decision-making", "accountability", "transparency", "legitimacy",
    "inclusiveness", "the outcome document", "the final report", "the Chair" RQ "s summary",
    "the Group" RQ "s recommendations", "the questionnaire", "the mandate of the Group",
    "the renewal of the IGF mandate", "the IGF Leadership Panel",
    "the Multistakeholder Advisory Group", "national and regional IGF initiatives",
    "best practice forums", "dynamic coalitions", "intersessional work", "remote participation",
    "the Global Digital Compact", "the WSIS+20 review", "the Summit of the Future",
    "the IGF Plus", "a new mechanism", "an intergovernmental mechanism", "a multilateral body",
    "a new intergovernmental body", "existing mechanisms", "existing institutions",
    "the role of the ITU", "ICANN" RQ "s accountability", "the Governmental Advisory Committee",
    "the oversight of critical Internet resources", "unilateral control",
    "unilateral coercive measures", "trust and confidence", "the use of ICTs",
    "the use of information and communications technologies", "critical infrastructure",
    "critical information infrastructure", "supply chain security", "vulnerability disclosure",
    "the exchange of best practices", "technical assistance", "the transfer of technology",
    "financing mechanisms", "the Digital Solidarity Fund", "the development dimension",
    "sustainable development", "digital inclusion", "digital literacy", "digital skills",
    "online education", "e-government", "e-health", "open data", "public access",
    "community networks", "spectrum management", "satellite connectivity", "submarine cables",
    "Internet shutdowns", "encryption", "anonymity", "surveillance", "mass surveillance",
    "lawful interception", "jurisdiction", "applicable law", "dispute resolution",
    "the public interest", "the global public interest", "the global commons",
    "a people-centred, inclusive and development-oriented Information Society",
    "the Information Society", "knowledge societies", "multilateralism",
    "the multilateral system", "inter-governmental negotiations", "intergovernmental negotiations",
    "the equal footing of governments", "the stewardship of the IANA functions",
    "the Internet" RQ "s technical infrastructure", "States" RQ " obligations", "the Group" RQ "s mandate",
};

static const char *const ADJ[] = {
    "open", "inclusive", "transparent", "democratic", "multilateral", "multistakeholder",
    "multi-stakeholder", "multi" NBH "stakeholder", "intergovernmental", "inter-governmental",
    "bottom-up", "consensus-based", "accountable", "effective", "legitimate", "balanced",
    "equitable", "fair", "secure", "stable", "resilient", "interoperable", "decentralised",
    "decentralized", "distributed", "global", "regional", "national", "international",
    "cross-border", "binding", "non-binding", "voluntary", "meaningful", "sustainable",
    "people-centred", "rights-based", "evidence-based", "human-centric", "technical",
    "operational", "political", "legal", "institutional", "appropriate", "relevant", "existing",
    "new", "current", "specific", "concrete", "practical", "substantive", "permanent",
    "flexible", "agile", "robust", "comprehensive", "coherent", "coordinated", "enhanced",
    "strengthened", "improved", "full", "equal", "active", "broad", "diverse", "universal",
    "affordable", "reliable", "trustworthy", "peaceful", "responsible", "collective", "shared",
    "common", "public", "private", "sovereign", "independent", "neutral", "unilateral",
    "centralised", "top-down", "State-centric", "government-led", "market-driven", "innovative",
    "emerging", "digital", "online", "offline", "critical", "fundamental", "essential",
    "important", "key", "significant", "unique", "distinct", "Internet-related",
};

static const char *const PVERB[] = {
    "strengthen", "promote", "ensure", "address", "support", "facilitate", "enhance", "improve",
    "develop", "implement", "protect", "respect", "recognise", "recognize", "preserve",
    "maintain", "establish", "create", "reform", "review", "coordinate", "harmonise", "build",
    "foster", "encourage", "enable", "empower", "bridge", "reduce", "close", "expand",
    "increase", "guarantee", "safeguard", "uphold", "advance", "pursue", "consider", "examine",
    "discuss", "identify", "clarify", "define", "agree on", "work towards", "contribute to",
    "participate in", "engage in", "build on", "draw on", "take into account", "give effect to",
    "put in place", "set up", "follow up on", "reflect", "integrate", "mainstream",
    "operationalize", "operationalise",
};

/* singular|plural */
static const char *const RVERB[] = {
    "believes|believe", "considers|consider", "is of the view|are of the view",
    "emphasizes|emphasize", "emphasises|emphasise", "stresses|stress", "underlines|underline",
    "recalls|recall", "reaffirms|reaffirm", "notes|note", "welcomes|welcome",
    "recognizes|recognize", "recognises|recognise", "supports|support", "proposes|propose",
    "recommends|recommend", "suggests|suggest", "maintains|maintain", "holds|hold",
    "agrees|agree", "is convinced|are convinced", "remains convinced|remain convinced",
    "would like to stress|would like to stress", "wishes to underline|wish to underline",
    "takes the view|take the view", "observes|observe", "acknowledges|acknowledge",
    "insists|insist", "firmly believes|firmly believe", "strongly supports|strongly support",
};

/* First character: 1 singular, 2 plural. */
static const char *const ACTOR[] = {
    "1the Group", "1the Working Group", "1our delegation", "1the delegation of %C", "2we", "2we",
    "2we", "2Member States", "2governments", "2all stakeholders", "1civil society",
    "1the private sector", "1the technical community", "1the international community",
    "1the IGF", "1ICANN", "1the ITU", "2developing countries", "1the Secretary-General",
    "1the Chair", "1the European Union", "1the African Union", "1the Government of %C", "1%C",
    "1%C", "2the authors", "2the co-sponsors", "1this submission", "1this contribution",
    "2many delegations", "2several States", "2some stakeholders", "1the business community",
    "1the academic community", "2the Regional Internet Registries", "2Internet users",
    "1the CSTD", "1the United Nations", "2the undersigned organisations", "1the U.S. Government",
    "2the Member States of the Group of 77 and China", "1%O", "2States",
};

static const char *const ORG[] = {
    "ICANN", "the ITU", "the IGF", "UNESCO", "the OECD", "the Council of Europe", "WIPO",
    "the WTO", "UNCTAD", "UNDP", "the IETF", "the Internet Engineering Task Force (IETF)",
    "the W3C", "the Regional Internet Registries", "the RIRs", "ISOC", "the Internet Society",
    "the IAB", "the GAC", "the ccNSO", "the GNSO", "the ASO", "the NRO", "ITU-T", "ITU-D",
    "ITU-R", "the Plenipotentiary Conference", "the WTSA", "the WCIT", "the CSTD", "ECOSOC",
    "the General Assembly", "the Human Rights Council", "the Security Council", "UNIDIR",
    "UNODC", "the OEWG", "the GGE", "the Group of Governmental Experts", "the WGEC", "the WGIG",
    "NETmundial", "the G20", "the G7", "the BRICS", "the Shanghai Cooperation Organisation",
    "ASEAN", "the African Union Commission", "the European Commission", "the OAS",
    "the League of Arab States", "the Commonwealth Telecommunications Organisation", "the APT",
    "CITEL", "CEPT", "the ATU", "the Freedom Online Coalition",
    "the Global Forum on Cyber Expertise", "FIRST", "national CERTs", "CSIRTs",
    "the IGF Secretariat", "UN DESA", "the Office of the Envoy on Technology",
    "the High-level Panel on Digital Cooperation", "the World Bank", "the UN Secretariat",
};

static const char *const PRINCIPLE[] = {
    "on an equal footing", "on an equal footing with other stakeholders",
    "in their respective roles and responsibilities", "in their respective roles",
    "in accordance with international law", "in full respect of national sovereignty",
    "with full respect for human rights", "through open, bottom-up processes",
    "in a transparent and accountable manner", "in an open and inclusive manner",
    "without duplication of existing mechanisms", "under the auspices of the United Nations",
    "within the United Nations system", "at the national, regional and international levels",
    "at all levels", "in line with the Tunis Agenda", "as set out in paragraph 35 of the Tunis Agenda",
    "as envisaged in the Tunis Agenda", "on the basis of consensus", "by consensus",
    "with the participation of all stakeholders", "with the full involvement of all stakeholders",
    "in a multistakeholder fashion", "in a multi" NBH "stakeholder manner",
    "in a multilateral framework", "within existing institutions", "in good faith",
    "in the public interest", "for the benefit of all", "for the benefit of all people",
    "in a timely manner", "step by step", "where appropriate", "as appropriate",
    "to the extent possible", "as a matter of priority", "on an equal basis",
    "in a multilateral, transparent and democratic manner", "with equal footing for all",
};

typedef struct { const char *name, *iso, *region; } country;
static const country COUNTRY[] = {
    {"Argentina", "AR", "GRULAC"}, {"Australia", "AU", "WEOG"}, {"Austria", "AT", "WEOG"},
    {"Bangladesh", "BD", "Asia-Pacific"}, {"Belgium", "BE", "WEOG"}, {"Bolivia", "BO", "GRULAC"},
    {"Brazil", "BR", "GRULAC"}, {"Canada", "CA", "WEOG"}, {"Chile", "CL", "GRULAC"},
    {"China", "CN", "Asia-Pacific"}, {"Colombia", "CO", "GRULAC"}, {"Costa Rica", "CR", "GRULAC"},
    {"C\xc3\xb4te d" RQ "Ivoire", "CI", "African"}, {"Cuba", "CU", "GRULAC"},
    {"Czechia", "CZ", "Eastern European"}, {"Denmark", "DK", "WEOG"}, {"Egypt", "EG", "African"},
    {"Estonia", "EE", "Eastern European"}, {"Ethiopia", "ET", "African"}, {"Finland", "FI", "WEOG"},
    {"France", "FR", "WEOG"}, {"Germany", "DE", "WEOG"}, {"Ghana", "GH", "African"},
    {"Greece", "GR", "WEOG"}, {"India", "IN", "Asia-Pacific"}, {"Indonesia", "ID", "Asia-Pacific"},
    {"Iran (Islamic Republic of)", "IR", "Asia-Pacific"}, {"Ireland", "IE", "WEOG"},
    {"Israel", "IL", "WEOG"}, {"Italy", "IT", "WEOG"}, {"Japan", "JP", "Asia-Pacific"},
    {"Kenya", "KE", "African"}, {"Malaysia", "MY", "Asia-Pacific"}, {"Mexico", "MX", "GRULAC"},
    {"Morocco", "MA", "African"}, {"Netherlands", "NL", "WEOG"}, {"New Zealand", "NZ", "WEOG"},
    {"Nigeria", "NG", "African"}, {"Norway", "NO", "WEOG"}, {"Pakistan", "PK", "Asia-Pacific"},
    {"Paraguay", "PY", "GRULAC"}, {"Peru", "PE", "GRULAC"}, {"Philippines", "PH", "Asia-Pacific"},
    {"Poland", "PL", "Eastern European"}, {"Portugal", "PT", "WEOG"},
    {"Republic of Korea", "KR", "Asia-Pacific"}, {"Romania", "RO", "Eastern European"},
    {"Russian Federation", "RU", "Eastern European"}, {"Rwanda", "RW", "African"},
    {"S\xc3\xa3o Tom\xc3\xa9 and Pr\xc3\xadncipe", "ST", "African"},
    {"Saudi Arabia", "SA", "Asia-Pacific"}, {"Senegal", "SN", "African"},
    {"Singapore", "SG", "Asia-Pacific"}, {"South Africa", "ZA", "African"}, {"Spain", "ES", "WEOG"},
    {"Sri Lanka", "LK", "Asia-Pacific"}, {"Sweden", "SE", "WEOG"}, {"Switzerland", "CH", "WEOG"},
    {"Thailand", "TH", "Asia-Pacific"}, {"Tunisia", "TN", "African"},
    {"T\xc3\xbcrkiye", "TR", "WEOG"}, {"Uganda", "UG", "African"},
    {"Ukraine", "UA", "Eastern European"}, {"United Arab Emirates", "AE", "Asia-Pacific"},
    {"United Kingdom", "GB", "WEOG"}, {"United States", "US", "WEOG"}, {"Uruguay", "UY", "GRULAC"},
    {"Viet Nam", "VN", "Asia-Pacific"}, {"Zambia", "ZM", "African"}, {"Zimbabwe", "ZW", "African"},
};

/* ---- general English, in rough frequency order (the Zipf head) ---------- */

static const char *const GNOUN[] = {
    "time", "year", "people", "way", "day", "thing", "life", "world", "school", "state", "family",
    "group", "country", "problem", "hand", "part", "place", "case", "week", "company", "system",
    "program", "question", "work", "government", "number", "point", "home", "water", "area",
    "money", "story", "fact", "month", "right", "study", "book", "job", "word", "business",
    "issue", "side", "kind", "head", "service", "friend", "power", "hour", "line", "end",
    "member", "law", "city", "community", "name", "team", "idea", "body", "information",
    "level", "office", "health", "person", "history", "party", "result", "change", "reason",
    "research", "moment", "teacher", "force", "education", "age", "policy", "process", "market",
    "sense", "nation", "plan", "interest", "experience", "effect", "use", "class", "control",
    "care", "field", "development", "role", "effort", "rate", "leader", "voice", "mind",
    "price", "report", "decision", "view", "relationship", "town", "road", "difference", "value",
    "building", "action", "model", "season", "society", "tax", "director", "position", "player",
    "record", "paper", "space", "ground", "form", "event", "official", "matter", "centre",
    "couple", "site", "project", "activity", "table", "need", "court", "situation", "cost",
    "industry", "figure", "street", "image", "phone", "data", "picture", "practice", "piece",
    "land", "product", "worker", "news", "test", "technology", "step", "computer", "type",
    "attention", "source", "organization", "evidence", "population", "benefit", "chance",
    "order", "agreement", "network", "resource", "framework", "principle", "measure",
    "standard", "approach", "capacity", "context", "condition", "element", "factor", "feature",
    "function", "region", "sector", "structure", "territory", "trend", "unit", "volume",
    "analysis", "budget", "commitment", "consultation", "contribution", "coordination",
    "dialogue", "document", "environment", "instrument", "institution", "knowledge",
    "mechanism", "objective", "obligation", "opportunity", "participation", "partnership",
    "perspective", "priority", "procedure", "proposal", "provision", "regulation",
    "requirement", "responsibility", "risk", "strategy", "threshold", "transition", "tool",
    "platform", "infrastructure", "access", "user", "content", "provider", "operator",
    "registry", "registrar", "address", "protocol", "domain", "server", "cable", "satellite",
    "spectrum", "licence", "fee", "contract", "audit", "charter", "treaty", "convention",
    "declaration", "resolution", "committee", "council", "assembly", "forum", "panel",
    "secretariat", "conference", "summit", "workshop", "session", "meeting", "delegation",
    "mission", "agency", "ministry", "department", "authority", "regulator", "tribunal",
    "consensus", "stakeholder", "governance", "security", "stability", "openness", "trust",
    "cooperation", "collaboration", "engagement", "implementation", "assessment", "outcome",
    "recommendation", "principle", "mandate", "review", "debate", "discussion", "negotiation",
};

static const char *const GVERB_REG[] = {   /* regular: base, -s, -ed, -ing */
    "work", "call", "need", "look", "use", "ask", "seem", "help", "talk", "turn", "start",
    "show", "play", "move", "like", "live", "believe", "happen", "provide", "include",
    "continue", "learn", "change", "follow", "stop", "create", "allow", "add", "open", "walk",
    "offer", "remember", "consider", "appear", "wait", "serve", "expect", "stay", "reach",
    "remain", "suggest", "raise", "pass", "require", "report", "decide", "pull", "describe",
    "assess", "monitor", "evaluate", "publish", "adopt", "approve", "negotiate", "draft",
    "submit", "endorse", "convene", "finance", "deploy", "operate", "regulate", "govern",
    "manage", "coordinate", "delegate", "observe", "measure", "compare", "share", "exchange",
    "train", "connect", "host", "register", "resolve", "protect", "restrict", "block",
    "filter", "encrypt", "store", "transfer", "process", "collect", "request", "invite",
    "discuss", "respond", "inform", "prepare", "present", "note", "welcome", "address",
    "implement", "organise", "organize", "launch", "review", "extend", "examine", "highlight",
};

static const char *const GVERB_IRR[] = {   /* irregular: base, -s, -ing only */
    "be", "have", "do", "say", "go", "get", "make", "know", "think", "take", "see", "come",
    "give", "tell", "find", "feel", "become", "leave", "put", "mean", "keep", "let", "begin",
    "hear", "run", "hold", "bring", "write", "sit", "stand", "lose", "pay", "meet", "set",
    "lead", "understand", "speak", "read", "spend", "grow", "win", "buy", "send", "build",
    "fall", "cut", "sell", "draw", "seek", "rise", "choose", "shake", "undertake",
};

static const char *const GADJ[] = {
    "other", "new", "good", "high", "old", "great", "big", "small", "large", "young",
    "different", "long", "little", "important", "bad", "real", "best", "right", "social",
    "only", "sure", "low", "early", "able", "human", "local", "late", "hard", "major", "better",
    "economic", "strong", "possible", "whole", "free", "true", "special", "easy", "clear",
    "recent", "certain", "personal", "difficult", "available", "likely", "short", "single",
    "current", "wrong", "past", "foreign", "fine", "poor", "natural", "similar", "serious",
    "ready", "simple", "physical", "general", "environmental", "financial", "various", "entire",
    "close", "final", "main", "huge", "popular", "traditional", "cultural", "wide",
    "particular", "primary", "formal", "informal", "annual", "rural", "urban", "mobile",
    "remote", "administrative", "commercial", "regulatory", "judicial", "fiscal", "procedural",
    "preliminary", "additional", "subsequent", "previous", "adequate", "sufficient", "modest",
    "ambitious", "direct", "limited", "growing", "broader", "wider", "greater", "complex",
};

static const char *const GADV[] = {
    "also", "very", "often", "however", "too", "usually", "never", "always", "sometimes",
    "together", "simply", "generally", "instead", "actually", "already", "quite", "rather",
    "almost", "especially", "quickly", "probably", "certainly", "clearly", "particularly",
    "increasingly", "largely", "merely", "fully", "closely", "directly", "effectively",
    "notably", "primarily", "mainly", "further", "therefore", "nevertheless", "moreover",
};

/* Syllables of the generated tail ("betoment", "Cavorist"): pronounceable,
 * so stemmers see realistic suffixes. */
static const char *const SYL[] = {
    "ba", "be", "bi", "bo", "ca", "co", "da", "de", "di", "do", "fa", "fe", "fi", "ga", "ge",
    "go", "ha", "he", "la", "le", "li", "lo", "ma", "me", "mi", "mo", "na", "ne", "ni", "no",
    "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "sa", "se", "si", "so", "ta", "te", "ti",
    "to", "va", "ve", "vi", "za", "ar", "er", "or", "in", "en", "an", "al", "el", "con", "pro",
    "tra", "ter", "ver", "mar", "ment", "tion", "ous", "ist", "ism", "ive", "ery", "ial", "str",
    "qu", "gran", "port",
};
static const char *const TAILSUF[][4] = {   /* per class: noun, adj, verb */
    {"", "s", "ment", "tion"}, {"al", "ive", "ous", "ic"}, {"ate", "ise", "ize", "en"},
};

/* ---- sentence and document templates ------------------------------------ */

static const char *const TPL_DOMAIN[] = {
    "%A %V that %N should be %J and %J.",
    "%A %V that %N must be addressed %P.",
    "In our view, %N requires %J %N %P.",
    "%A %V the importance of %N for %N.",
    "It is essential to %v %N %P.",
    "%A %V that all stakeholders should participate %P.",
    "Governments, the private sector, civil society and the technical community must be able to contribute %P.",
    "The multistakeholder model has proven its value in %N, and %A %V that it should be %J.",
    "%A cannot accept %J arrangements that would undermine %N.",
    "%O has a %J role in %N, but %N remains %J.",
    "As stated in %R, %N should be %J, %J and %J.",
    "%A %V %N, in particular with regard to %N and %N.",
    "There is a need to %v %N and to %v %N %P.",
    "%A %V that enhanced cooperation should enable governments, on an equal footing, to carry out their roles and responsibilities in international public policy issues pertaining to the Internet.",
    "The %J nature of %N means that no single %n can %v it alone.",
    "We therefore propose that %O %v %N %P.",
    "%A %V, however, that %N is not a substitute for %N.",
    "According to %R, %N should be handled %P.",
    "Since %Y, %N has evolved considerably, as the %n of %G shows.",
    "More than %# of %G in %C are %J.",
    "On %D, %O published %G on %N.",
    "%A %V the work of %O on %N and %V the need to %v %G %P.",
    "Questions of %N, %N and %N cannot be separated from %N.",
    "This is why %N must remain %J, %J and %J.",
    "%A would welcome %J %N (%E).",
    "Such %G should be developed %P; otherwise %N will be %J.",
    "The %Q concept, which is often %w, must be %J.",
    "%A %V that %C and other %J countries should %v %N %P.",
    "Without %N, %N will not be %J.",
    "In %C, for example, %N was introduced in %Y with the involvement of %N.",
    "Enhanced cooperation and the IGF are distinct processes, and %A %V that they are complementary.",
    "The respective roles of governments and other stakeholders are described in %R.",
    "Sovereignty over %G belongs to States, while %N should %v %N.",
    "We note that %# of Internet users now live in %N.",
    "The mandate of %O should be %J, including %G and %N.",
    "%A %V that the %J approach to %N is the only %J way forward.",
    "It is also necessary to %v %G, %G and %G.",
    "%A is concerned that %N may %v %N.",
    "Therefore, %A %V that %O and %O should %v %N %P.",
    "The digital divide between and within countries remains %J, and %N is needed to %v it.",
    "Capacity building is a prerequisite for %J participation in %N.",
    "The Group" RQ "s discussions showed that %N and %N are closely linked.",
    "In the long term, %N will depend on %G.",
    "These %G are not %J; they reflect %N.",
    "%A %V that the existing %J %G, in particular %O, should be %J rather than replaced.",
    "%N, %N and %N (see %R) are among the issues raised by %A.",
    "Our proposal is simple: %v %N %P.",
    "A %J mechanism %P would allow %N to be discussed %P.",
    "%A %V that decisions on %N should be taken by governments %P.",
    "There is no consensus on %N, and %A %V that %G must continue.",
    "%A does not see the need for a new body; instead, %N should be %J.",
    "We urge %O to %v %N and to report on %N by %Y.",
    "The %Y report of %O on %N (%R) remains %J.",
    "What matters is %N, i.e. %N %P.",
    "All stakeholders " ND " governments, business, civil society and the technical community " ND " have a role in %N.",
    "The so-called " LDQ "%J versus %J" RDQ " debate has distracted attention from %N.",
    "%A %V that States" RQ " responsibilities for %N cannot be delegated to %O.",
    "During the %Y" ND "%Y period, %O %w %G on %N.",
    "A " LDQ "%J" RDQ " Internet, as some call it, would weaken %N.",
    "Multistakeholderism is not an end in itself; it is a means to %v %N.",
    "Intergovernmental decision-making on %N, by contrast, %w %G.",
};

static const char *const TPL_GENERAL[] = {
    "The %j %n %w the %n of %G.",
    "%G %w %j %n, and %G %w the %n.",
    "In %Y, the %n %w %j %n in %C.",
    "This %n %r %w %j %n for %N.",
    "Many %ns %w that %G is %j.",
    "By %i %G, the %n %w %N.",
    "Such %n is %j, but %G remains %j.",
    "%A %r %V the %j %n of %G.",
    "Over %# of the %n was %w by %G, according to %R.",
    "We %b the %n and %b %G as soon as possible.",
    "The %n of %G, e.g. %G, is %r %j.",
    "%G and %G are %r %j, as the %n of No. %# shows.",
    "It is %j to %b %G when %G is %j.",
    "At the %n in %C, %A %V that %G should be %w.",
    "%G %r %w %G; the %n is %j.",
    "There are %# %ns, %# %ns and %G.",
    "The U.S. and %C %w a %j %n on %G in %Y.",
    "One %n, for instance, %w %j %G without %i %N.",
};

static const char *const QUESTION[] = {
    "What is your understanding of enhanced cooperation as set out in the Tunis Agenda?",
    "What are the high-level characteristics of enhanced cooperation?",
    "Taking into consideration the work of the previous Working Group, what kinds of recommendations should we consider?",
    "What is the role of different stakeholders in enhanced cooperation?",
    "How should enhanced cooperation be implemented to enable governments, on an equal footing, to carry out their roles and responsibilities?",
    "What are the international public policy issues pertaining to the Internet?",
    "Are there gaps in existing mechanisms, and how should they be addressed?",
    "How can developing countries participate meaningfully in global Internet governance?",
    "What barriers prevent stakeholders from participating?",
    "What is the relationship between enhanced cooperation and the IGF?",
    "Which existing organisations should be involved, and how?",
    "Any other comments?",
};

static const char *const HEADING[] = {
    "Introduction", "General remarks", "Existing and potential threats",
    "Rules, norms and principles", "International law", "Confidence-building measures",
    "Capacity building", "Regular institutional dialogue", "Enhanced cooperation",
    "The role of stakeholders", "Access and inclusion", "Human rights",
    "Security, stability and resilience", "Critical Internet resources", "Development aspects",
    "Recommendations", "Background", "Our position", "Proposals", "The way forward",
    "Multilateral and multistakeholder approaches", "Sovereignty and jurisdiction",
};

static const char *const TITLE[] = {
    "%S " ND " contribution to the %L",
    "Submission by %S to the %L",
    "Views of %S on the %L",
    "%S: response to the questionnaire of the %L",
    "Comments of %S on the %L (%Y)",
    "Input from %S for the %L",
};

static const char *const MONTH[] = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
};

static const char *const ROMAN[] = {
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
};

typedef struct { const char *id, *name; int y0, y1; } process;
static const process PROCESS[] = {
    {"wsis", "World Summit on the Information Society", 2002, 2005},
    {"wgig", "Working Group on Internet Governance", 2004, 2005},
    {"igf", "Internet Governance Forum", 2006, 2024},
    {"cstd", "Commission on Science and Technology for Development", 2010, 2023},
    {"wgec1", "Working Group on Enhanced Cooperation", 2012, 2014},
    {"netmundial", "NETmundial Global Multistakeholder Meeting on the Future of Internet Governance", 2014, 2014},
    {"wgec2", "Working Group on Enhanced Cooperation", 2016, 2018},
    {"oewg1", "Open-ended Working Group on developments in the field of ICTs in the context of international security", 2019, 2021},
    {"oewg2", "Open-ended Working Group on security of and in the use of ICTs 2021" ND "2025", 2021, 2025},
    {"gdc", "consultations on the Global Digital Compact", 2023, 2024},
    {"wsis20", "WSIS+20 review", 2024, 2025},
};

static const char *const GROUP[] = {   /* stakeholder_group, weighted by repetition */
    "government", "government", "government", "government", "private_sector",
    "civil_society", "civil_society", "civil_society", "technical_community", "academia",
    "intergovernmental",
};

static const char *const ORGWORD1[] = {
    "Global", "Open", "Digital", "Pan-African", "Asia-Pacific", "Latin American", "European",
    "International", "Regional", "Independent", "Free", "Public", "Community", "Arab",
};
static const char *const ORGWORD2[] = {
    "Internet", "Network", "Rights", "Media", "Policy", "Telecommunications", "Registry",
    "Technology", "Information", "Cyber", "Knowledge", "Development", "Access",
};
static const char *const ORGWORD3[] = {
    "Foundation", "Coalition", "Institute", "Association", "Alliance", "Council",
    "Centre", "Forum", "Initiative", "Federation", "Society", "Observatory",
};

/* ---- Zipf sampling with a generated tail --------------------------------
 * Rank r in [1, ZIPF_MAX] with P(r) ~ (r + ZIPF_Q)^-ZIPF_S (Zipf-Mandelbrot,
 * continuous inverse CDF; the offset keeps the head from being one word).
 * Ranks inside a list are its words; ranks beyond are generated words, the
 * same string for the same (class, rank) everywhere, so the number of
 * distinct words grows with the number drawn, as in real text. */
#define ZIPF_MAX 50000000.0
#define ZIPF_S   1.5
#define ZIPF_Q   20.0

static double zipf_a, zipf_d;   /* (1+q)^(1-s) and its difference to (M+q)^(1-s) */

static void zipf_init(void)
{
    zipf_a = pow(1.0 + ZIPF_Q, 1.0 - ZIPF_S);
    zipf_d = zipf_a - pow(ZIPF_MAX + ZIPF_Q, 1.0 - ZIPF_S);
}

static uint64_t zipf_rank(rng *r)
{
    double x = pow(zipf_a - rng_unit(r) * zipf_d, 1.0 / (1.0 - ZIPF_S)) - ZIPF_Q;
    return x < 1.0 ? 1 : (uint64_t)x;
}

static void tail_word(buf *b, int cls, uint64_t rank)
{
    uint64_t h = rank * 0x9e3779b97f4a7c15ULL + (uint64_t)cls * 0x632be59bd9b4e019ULL;
    h ^= h >> 29; h *= 0xbf58476d1ce4e5b9ULL; h ^= h >> 32;
    unsigned kind = (unsigned)(h & 63); h >>= 6;
    if (kind < 2) {                        /* acronym, e.g. "KRTA" */
        int n = 2 + (int)(h % 4); h >>= 2;
        for (int i = 0; i < n; i++) { b_putc(b, (char)('A' + h % 26)); h /= 26; }
        return;
    }
    if (kind < 3) {                        /* code, e.g. "xq17" */
        b_putc(b, (char)('a' + h % 26)); h /= 26;
        b_putc(b, (char)('a' + h % 26)); h /= 26;
        b_printf(b, "%u", (unsigned)(h % 1000));
        return;
    }
    size_t start = b->n;
    int nsyl = 2 + (int)(h % 3) + (rank > 200000); h >>= 2;
    for (int i = 0; i < nsyl; i++) {
        b_puts(b, SYL[h % NELEM(SYL)]);
        h /= NELEM(SYL);
    }
    b_puts(b, TAILSUF[cls][h & 3]);
    if (kind < 9 && b->p[start] >= 'a' && b->p[start] <= 'z')   /* a name */
        b->p[start] = (char)(b->p[start] - 'a' + 'A');
}

static int ends_with(const char *w, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(w + n - k, suf, k) == 0;
}

static int is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

/* Append word w with an English suffix: 's' plural/3rd person, 'd' past,
 * 'g' -ing, 'l' -ly (spelling rules good enough for a stemmer to undo). */
static void inflect(buf *b, const char *w, char how)
{
    size_t n = strlen(w);
    char last = w[n - 1], prev = n > 1 ? w[n - 2] : 'a';
    switch (how) {
    case 's':
        if (strcmp(w, "be") == 0) { b_puts(b, "is"); return; }
        if (strcmp(w, "have") == 0) { b_puts(b, "has"); return; }
        if (last == 'y' && !is_vowel(prev)) { b_put(b, w, n - 1); b_puts(b, "ies"); return; }
        b_put(b, w, n);
        if (last == 's' || last == 'x' || ends_with(w, n, "ch") || ends_with(w, n, "sh") ||
            strcmp(w, "do") == 0 || strcmp(w, "go") == 0)
            b_puts(b, "es");
        else
            b_putc(b, 's');
        return;
    case 'd':
        if (last == 'e') { b_put(b, w, n); b_putc(b, 'd'); return; }
        if (last == 'y' && !is_vowel(prev)) { b_put(b, w, n - 1); b_puts(b, "ied"); return; }
        b_put(b, w, n); b_puts(b, "ed");
        return;
    case 'g':
        if (strcmp(w, "be") == 0) { b_puts(b, "being"); return; }
        if (last == 'e' && n > 2 && prev != 'e') { b_put(b, w, n - 1); b_puts(b, "ing"); return; }
        b_put(b, w, n); b_puts(b, "ing");
        return;
    case 'l':
        if (last == 'y') { b_put(b, w, n - 1); b_puts(b, "ily"); return; }
        if (ends_with(w, n, "le")) { b_put(b, w, n - 1); b_putc(b, 'y'); return; }
        if (ends_with(w, n, "ic")) { b_put(b, w, n); b_puts(b, "ally"); return; }
        b_put(b, w, n); b_puts(b, "ly");
        return;
    }
    b_put(b, w, n);
}

static void gen_noun(buf *b, rng *r, int plural_ok)
{
    uint64_t k = zipf_rank(r);
    if (k <= NELEM(GNOUN)) {
        const char *w = GNOUN[k - 1];
        if (plural_ok && rng_pct(r, 30)) inflect(b, w, 's'); else b_puts(b, w);
    } else {
        tail_word(b, 0, k);
    }
}

static void gen_adj(buf *b, rng *r)
{
    uint64_t k = zipf_rank(r);
    if (k <= NELEM(GADJ)) b_puts(b, GADJ[k - 1]);
    else tail_word(b, 1, k);
}

/* how: 'b' base, 'w' 3rd person or past, 'g' -ing. */
static void gen_verb(buf *b, rng *r, char how)
{
    uint64_t k = zipf_rank(r);
    size_t nreg = NELEM(GVERB_REG), nirr = NELEM(GVERB_IRR);
    if (k > nreg + nirr) {
        static buf t;   /* generated stem, then inflected into b */
        t.n = 0;
        tail_word(&t, 2, k);
        b_putc(&t, 0);
        inflect(b, t.p, how == 'w' ? (rng_pct(r, 50) ? 's' : 'd') : how == 'g' ? 'g' : 0);
        return;
    }
    /* the two lists alternate in the head; the longer one fills the rest */
    size_t idx = (size_t)k - 1;
    int irregular = idx < 2 * nirr && (idx & 1);
    const char *w = idx < 2 * nirr ? (irregular ? GVERB_IRR[idx >> 1] : GVERB_REG[idx >> 1])
                                   : GVERB_REG[idx - nirr];
    char how2 = how == 'w' ? (irregular || rng_pct(r, 50) ? 's' : 'd') : how;
    inflect(b, w, how2 == 'b' ? 0 : how2);
}

/* ---- expansion ---------------------------------------------------------- */

typedef struct {
    rng *r;
    int plural;        /* number of the last %A */
    int doc_year;
} ctx;

static void expand(buf *b, ctx *c, const char *t, int depth);

static void put_pick(buf *b, ctx *c, const char *const *list, size_t n, int depth)
{
    const char *s = list[rng_below(c->r, (uint32_t)n)];
    if (strchr(s, '%') && depth < 3) expand(b, c, s, depth + 1);
    else b_puts(b, s);
}

static void put_quantity(buf *b, rng *r)
{
    switch (rng_below(r, 9)) {
    case 0: b_printf(b, "%d per cent", rng_range(r, 2, 98)); break;
    case 1: b_printf(b, "%d.%d per cent", rng_range(r, 1, 99), rng_range(r, 1, 9)); break;
    case 2: b_printf(b, "%d%%", rng_range(r, 1, 100)); break;
    case 3: b_printf(b, "%d,%03d", rng_range(r, 1, 99), rng_range(r, 0, 999)); break;
    case 4: b_printf(b, "%d million", rng_range(r, 2, 900)); break;
    case 5: b_printf(b, "%d.%d billion", rng_range(r, 1, 5), rng_range(r, 0, 9)); break;
    case 6: b_printf(b, "%d", rng_range(r, 3, 500)); break;
    case 7: b_puts(b, rng_pct(r, 50) ? "two thirds" : "half"); break;
    default: b_printf(b, "%d", rng_range(r, 10, 60)); break;
    }
}

static void put_reference(buf *b, rng *r)
{
    switch (rng_below(r, 12)) {
    case 0: b_printf(b, "paragraph %d of the Tunis Agenda", rng_range(r, 29, 80)); break;
    case 1: { int p = rng_range(r, 29, 75); b_printf(b, "paragraphs %d" ND "%d", p, p + rng_range(r, 1, 4)); break; }
    case 2: b_printf(b, "para. %d", rng_range(r, 1, 120)); break;
    case 3: b_printf(b, "resolution %d/%d", rng_range(r, 56, 79), rng_range(r, 1, 300)); break;
    case 4: b_printf(b, "A/RES/%d/%d", rng_range(r, 56, 79), rng_range(r, 1, 300)); break;
    case 5: b_printf(b, "document A/%d/%d", rng_range(r, 56, 79), rng_range(r, 1, 999)); break;
    case 6: b_printf(b, "Article %d of the Universal Declaration of Human Rights", rng_range(r, 1, 30)); break;
    case 7: b_printf(b, "section %d.%d", rng_range(r, 1, 9), rng_range(r, 1, 9)); break;
    case 8: b_printf(b, "E/CN.16/%d/%d", rng_range(r, 2008, 2024), rng_range(r, 1, 12)); break;
    case 9: b_printf(b, "Recommendation ITU-T X.%d", rng_range(r, 200, 1500)); break;
    case 10: b_printf(b, "RFC %d", rng_range(r, 791, 9500)); break;
    default: b_printf(b, "No. %d", rng_range(r, 1, 40)); break;
    }
}

static void expand(buf *b, ctx *c, const char *t, int depth)
{
    rng *r = c->r;
    for (;;) {
        const char *pc = strchr(t, '%');
        if (!pc) { b_puts(b, t); return; }
        b_put(b, t, (size_t)(pc - t));
        char code = pc[1];
        t = pc + 2;
        switch (code) {
        case 'A': {
            const char *s = ACTOR[rng_below(r, NELEM(ACTOR))];
            c->plural = s[0] == '2';
            if (strchr(s + 1, '%') && depth < 3) expand(b, c, s + 1, depth + 1);
            else b_puts(b, s + 1);
            break;
        }
        case 'V': {
            const char *s = RVERB[rng_below(r, NELEM(RVERB))];
            const char *bar = strchr(s, '|');
            if (c->plural) b_puts(b, bar + 1); else b_put(b, s, (size_t)(bar - s));
            break;
        }
        case 'v': put_pick(b, c, PVERB, NELEM(PVERB), depth); break;
        case 'N':
            if (rng_pct(r, 12)) { gen_adj(b, r); b_putc(b, ' '); gen_noun(b, r, 1); }
            else put_pick(b, c, NPHRASE, NELEM(NPHRASE), depth);
            break;
        case 'J': put_pick(b, c, ADJ, NELEM(ADJ), depth); break;
        case 'P': put_pick(b, c, PRINCIPLE, NELEM(PRINCIPLE), depth); break;
        case 'O': put_pick(b, c, ORG, NELEM(ORG), depth); break;
        case 'C': b_puts(b, COUNTRY[rng_below(r, NELEM(COUNTRY))].name); break;
        case 'R': put_reference(b, r); break;
        case 'Y': b_printf(b, "%d", c->doc_year - (int)rng_below(r, 12)); break;
        case 'D': b_printf(b, "%d %s %d", rng_range(r, 1, 28), MONTH[rng_below(r, 12)],
                           c->doc_year - (int)rng_below(r, 4)); break;
        case '#': put_quantity(b, r); break;
        case 'Q':
            if (rng_pct(r, 70)) { b_puts(b, LDQ); put_pick(b, c, ADJ, NELEM(ADJ), depth); b_puts(b, RDQ); }
            else { b_puts(b, "\xe2\x80\x98"); put_pick(b, c, ADJ, NELEM(ADJ), depth); b_puts(b, RQ); }
            break;
        case 'E': {
            b_puts(b, rng_pct(r, 70) ? "e.g. " : "i.e. ");
            put_pick(b, c, ORG, NELEM(ORG), depth); b_puts(b, ", ");
            put_pick(b, c, ORG, NELEM(ORG), depth); b_puts(b, " and ");
            put_pick(b, c, ORG, NELEM(ORG), depth);
            break;
        }
        case 'n': gen_noun(b, r, 0); break;
        case 'j': gen_adj(b, r); break;
        case 'b': gen_verb(b, r, 'b'); break;
        case 'w': gen_verb(b, r, 'w'); break;
        case 'i': gen_verb(b, r, 'g'); break;
        case 'r': {
            uint64_t k = zipf_rank(r);
            if (k <= NELEM(GADV)) b_puts(b, GADV[k - 1]);
            else { const char *w = GADJ[k % NELEM(GADJ)]; inflect(b, w, 'l'); }
            break;
        }
        case 'G': {
            int n = 1 + (int)rng_below(r, 3);
            b_puts(b, rng_pct(r, 60) ? "the " : "");
            for (int i = 0; i < n; i++) {
                if (i) b_puts(b, rng_pct(r, 50) ? " and " : " of the ");
                if (rng_pct(r, 60)) { gen_adj(b, r); b_putc(b, ' '); }
                gen_noun(b, r, 1);
            }
            break;
        }
        case '%': b_putc(b, '%'); break;
        default: b_putc(b, '%'); b_putc(b, code); break;
        }
    }
}

static void sentence(buf *b, ctx *c)
{
    size_t start = b->n;
    c->plural = 0;
    if (rng_pct(c->r, 62))
        expand(b, c, TPL_DOMAIN[rng_below(c->r, NELEM(TPL_DOMAIN))], 0);
    else
        expand(b, c, TPL_GENERAL[rng_below(c->r, NELEM(TPL_GENERAL))], 0);
    char *p = b->p + start;
    if (*p >= 'a' && *p <= 'z')
        *p = (char)(*p - 'a' + 'A');
}

/* Replace spaces by newlines so no line of p[0..n) passes `width` bytes
 * (same length, done in place), as text extracted from PDF often is. */
static void wrap(char *p, size_t n, size_t width)
{
    size_t line = 0, last_space = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') { line = i + 1; last_space = (size_t)-1; continue; }
        if (p[i] == ' ') last_space = i;
        if (i - line >= width && last_space != (size_t)-1) {
            p[last_space] = '\n';
            line = last_space + 1;
            last_space = (size_t)-1;
        }
    }
}

/* ---- documents ---------------------------------------------------------- */

typedef struct {
    const process *proc;
    int year, month, day;
    char submitter[160];
    const char *group;
    const country *ctry;
    int questionnaire, sectioned, numbered, wrapped, crlf, ascii_quotes, gz;
    size_t target;
} docinfo;

static void paragraph(buf *b, ctx *c, const docinfo *d, int *parno)
{
    size_t start = b->n;
    if (d->numbered) b_printf(b, "%d. ", ++*parno);
    int ns = 2 + (int)rng_below(c->r, 6);
    for (int i = 0; i < ns; i++) {
        if (i) b_putc(b, ' ');
        sentence(b, c);
    }
    if (d->wrapped) wrap(b->p + start, b->n - start, 72);
    b_puts(b, "\n\n");
}

static void make_submitter(docinfo *d, rng *r)
{
    char *s = d->submitter;
    size_t cap = sizeof d->submitter;
    if (strcmp(d->group, "government") == 0) {
        static const char *const F[] = {"Government of %s", "Permanent Mission of %s to the United Nations",
                                        "Ministry of Communications, %s", "%s"};
        snprintf(s, cap, F[rng_below(r, NELEM(F))], d->ctry->name);
    } else if (strcmp(d->group, "intergovernmental") == 0) {
        snprintf(s, cap, "%s", ORG[rng_below(r, NELEM(ORG))]);
        if (strncmp(s, "the ", 4) == 0) { s[0] = 'T'; }
    } else {
        snprintf(s, cap, "%s %s %s", ORGWORD1[rng_below(r, NELEM(ORGWORD1))],
                 ORGWORD2[rng_below(r, NELEM(ORGWORD2))], ORGWORD3[rng_below(r, NELEM(ORGWORD3))]);
        if (rng_pct(r, 15)) {   /* "X, Nairobi": exercises CSV quoting */
            size_t n = strlen(s);
            snprintf(s + n, cap - n, ", %s", d->ctry->name);
        }
    }
}

static void title(buf *b, ctx *c, const docinfo *d)
{
    const char *t = TITLE[rng_below(c->r, NELEM(TITLE))];
    for (; *t; t++) {
        if (*t != '%') { b_putc(b, *t); continue; }
        t++;
        if (*t == 'S') b_puts(b, d->submitter);
        else if (*t == 'L') b_puts(b, d->proc->name);
        else if (*t == 'Y') b_printf(b, "%d", d->year);
    }
    b_puts(b, "\n\n");
}

static void document(buf *b, rng *r, docinfo *d)
{
    ctx c = {r, 0, d->year};
    int parno = 0;
    b->n = 0;
    title(b, &c, d);
    if (rng_pct(r, 40))
        b_printf(b, "Submitted to the %s, %d %s %d\n\n", d->proc->name, d->day, MONTH[d->month - 1], d->year);
    if (d->questionnaire) {
        int q = 0;
        while (b->n < d->target) {
            q++;
            const char *qt = QUESTION[(q - 1) % NELEM(QUESTION)];
            switch (rng_below(r, 3)) {
            case 0: b_printf(b, "Question %d\n%s\n\n", q, qt); break;
            case 1: b_printf(b, "Question %d: %s\n\n", q, qt); break;
            default: b_printf(b, "Q%d: %s\n\n", q, qt); break;
            }
            int np = 1 + (int)rng_below(r, 4);
            for (int i = 0; i < np && b->n < d->target; i++)
                paragraph(b, &c, d, &parno);
        }
    } else {
        int sec = 0, since = 0, limit = 2 + (int)rng_below(r, 5);
        while (b->n < d->target) {
            if (d->sectioned && (since == 0 || since >= limit) && sec < (int)NELEM(ROMAN)) {
                b_printf(b, "%s. %s\n\n", ROMAN[sec], sec == 0 ? "Introduction" : HEADING[rng_below(r, NELEM(HEADING))]);
                sec++;
                since = 0;
                limit = 2 + (int)rng_below(r, 5);
            }
            paragraph(b, &c, d, &parno);
            since++;
        }
    }
    if (rng_pct(r, 20)) {   /* footnotes */
        int nf = 1 + (int)rng_below(r, 4);
        for (int i = 1; i <= nf; i++) {
            b_printf(b, "[%d] See ", i);
            put_reference(b, r);
            if (rng_pct(r, 30))
                b_printf(b, ", available at https://www.un.org/en/%s/%d/doc%u.pdf", d->proc->id, d->year,
                         (unsigned)rng_below(r, 100000));
            b_puts(b, ".\n");
        }
    }
    if (rng_pct(r, 30))
        b_printf(b, "\n%s, %d %s %d\n", rng_pct(r, 50) ? "Geneva" : "New York", d->day, MONTH[d->month - 1], d->year);
}

/* Typewriter quotes and dashes (some submissions have no typography) and
 * CRLF line ends (some were saved on Windows): src -> dst. */
static void transcode(buf *dst, const buf *src, int ascii, int crlf)
{
    dst->n = 0;
    b_grow(dst, src->n + src->n / 8 + 16);
    const unsigned char *p = (const unsigned char *)src->p, *end = p + src->n;
    while (p < end) {
        if (crlf && *p == '\n') { b_put(dst, "\r\n", 2); p++; continue; }
        if (ascii && p + 2 < end && p[0] == 0xe2 && p[1] == 0x80) {
            char rep = 0;
            switch (p[2]) {
            case 0x98: case 0x99: rep = '\''; break;
            case 0x9c: case 0x9d: rep = '"'; break;
            case 0x91: case 0x93: rep = '-'; break;
            }
            if (rep) { b_putc(dst, rep); p += 3; continue; }
        }
        b_putc(dst, (char)*p++);
    }
}

static void write_file(const char *path, const char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        die("%s: %s", path, strerror(errno));
    if (n && fwrite(p, 1, n, f) != n)
        die("%s: write: %s", path, strerror(errno));
    if (fclose(f) != 0)
        die("%s: close: %s", path, strerror(errno));
}

/* gzip with a fixed header (mtime 0, OS 3), so output is byte-stable. */
static void write_gz(const char *path, const char *p, size_t n, buf *tmp)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2 failed");
    gz_header h;
    memset(&h, 0, sizeof h);
    h.os = 3;
    if (deflateSetHeader(&z, &h) != Z_OK)
        die("deflateSetHeader failed");
    tmp->n = 0;
    size_t bound = deflateBound(&z, (uLong)n) + 64;
    b_grow(tmp, bound);
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)tmp->p;
    z.avail_out = (uInt)bound;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        die("deflate did not finish");
    tmp->n = bound - z.avail_out;
    deflateEnd(&z);
    write_file(path, tmp->p, tmp->n);
}

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) { fputs(s, f); return; }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void mkdir_p(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        die("%s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: gen OUTDIR SIZE_MB [SEED]\n"
                        "  writes OUTDIR/manifest.csv and OUTDIR/docs/*.txt[.gz], about SIZE_MB*10^6 bytes of text\n");
        return 2;
    }
    const char *outdir = argv[1];
    char *endp;
    double mb = strtod(argv[2], &endp);
    if (*endp || !(mb > 0) || mb > 1e6)
        die("SIZE_MB must be a positive number, not '%s'", argv[2]);
    uint64_t seed = 1;
    if (argc == 4) {
        errno = 0;
        seed = strtoull(argv[3], &endp, 10);
        if (*endp || errno || argv[3][0] == '-')
            die("SEED must be a non-negative integer, not '%s'", argv[3]);
    }
    uint64_t target = (uint64_t)(mb * 1e6);
    zipf_init();

    size_t plen = strlen(outdir) + 64;
    char *path = malloc(plen);
    if (!path)
        die("out of memory");
    mkdir_p(outdir);
    snprintf(path, plen, "%s/docs", outdir);
    mkdir_p(path);
    snprintf(path, plen, "%s/manifest.csv", outdir);
    FILE *man = fopen(path, "wb");
    if (!man)
        die("%s: %s", path, strerror(errno));
    fputs("id,path,process,date,submitter,stakeholder_group,country,region,language\n", man);

    buf doc = {0}, out = {0}, gz = {0};
    uint64_t total = 0, file_bytes = 0, ngz = 0, ndocs = 0, maxlen = 0, minlen = UINT64_MAX;
    for (uint64_t i = 1; total < target; i++) {
        rng r;
        rng_seed(&r, seed, i);
        docinfo d;
        memset(&d, 0, sizeof d);
        d.proc = &PROCESS[rng_below(&r, NELEM(PROCESS))];
        d.year = rng_range(&r, d.proc->y0, d.proc->y1);
        d.month = rng_range(&r, 1, 12);
        d.day = rng_range(&r, 1, 28);
        d.group = GROUP[rng_below(&r, NELEM(GROUP))];
        d.ctry = &COUNTRY[rng_below(&r, NELEM(COUNTRY))];
        make_submitter(&d, &r);
        d.questionnaire = (strncmp(d.proc->id, "wgec", 4) == 0 && rng_pct(&r, 70)) || rng_pct(&r, 8);
        d.sectioned = !d.questionnaire && rng_pct(&r, 55);
        d.numbered = d.sectioned && rng_pct(&r, 70);
        d.wrapped = rng_pct(&r, 25);
        d.crlf = rng_pct(&r, 3);
        d.ascii_quotes = rng_pct(&r, 30);
        d.gz = rng_pct(&r, 5);
        /* log-uniform in [1000, 58000]; the last sentence may add < 2 kB */
        d.target = (size_t)(1000.0 * exp(rng_unit(&r) * log(58.0)));

        document(&doc, &r, &d);
        const buf *text = &doc;
        if (d.ascii_quotes || d.crlf) {
            transcode(&out, &doc, d.ascii_quotes, d.crlf);
            text = &out;
        }
        char rel[64];
        snprintf(rel, sizeof rel, "docs/%05llu.txt%s", (unsigned long long)i, d.gz ? ".gz" : "");
        snprintf(path, plen, "%s/%s", outdir, rel);
        if (d.gz) {
            write_gz(path, text->p, text->n, &gz);
            file_bytes += gz.n;
            ngz++;
        } else {
            write_file(path, text->p, text->n);
            file_bytes += text->n;
        }
        total += text->n;
        ndocs++;
        if (text->n > maxlen) maxlen = text->n;
        if (text->n < minlen) minlen = text->n;

        char idbuf[64], date[16];
        snprintf(idbuf, sizeof idbuf, "%s-%05llu", d.proc->id, (unsigned long long)i);
        snprintf(date, sizeof date, "%04d-%02d-%02d", d.year, d.month, d.day);
        fprintf(man, "%s,%s,%s,%s,", idbuf, rel, d.proc->id, date);
        csv_field(man, d.submitter);
        fprintf(man, ",%s,%s,%s,en\n", d.group, d.ctry->iso, d.ctry->region);
    }
    if (fclose(man) != 0)
        die("manifest.csv: close: %s", strerror(errno));

    snprintf(path, plen, "%s/gen.info", outdir);
    FILE *info = fopen(path, "wb");
    if (!info)
        die("%s: %s", path, strerror(errno));
    fprintf(info, "version %d\nseed %llu\nsize_mb %g\ndocs %llu\ngz_docs %llu\ntext_bytes %llu\n"
                  "file_bytes %llu\nmin_doc_bytes %llu\nmax_doc_bytes %llu\n",
            GEN_VERSION, (unsigned long long)seed, mb, (unsigned long long)ndocs,
            (unsigned long long)ngz, (unsigned long long)total, (unsigned long long)file_bytes,
            (unsigned long long)minlen, (unsigned long long)maxlen);
    if (fclose(info) != 0)
        die("gen.info: close: %s", strerror(errno));
    free(doc.p); free(out.p); free(gz.p); free(path);
    return 0;
}
