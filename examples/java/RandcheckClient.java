/*
 * RandcheckClient: a provincial platform's walk through the randcheck service
 * (docs/service.md), with nothing but the JDK (Java 17, java.net.http).
 *
 *   upload a registry 名录库 (or use one already uploaded)
 *   announce the draw 抽查公告 (commit: every input bound to a secret)
 *   draw and seal 抽取封存 (once the announced randomness exists)
 *   dispatch 派发 every task to its team
 *   as an inspector 检查人员: read the task, start and end the inspection, record the result
 *   reveal 揭示 the draw
 *   read the ledger head 台账头 and the audit verdict 合规结论
 *
 * Each step prints its HTTP status. Any answer that is not 2xx is a problem detail
 * (RFC 9457): it is printed and the program exits with status 1.
 *
 * Compile and run (see README.md):
 *   javac -d classes RandcheckClient.java
 *   java -cp classes RandcheckClient --registry registry.json
 * with the tokens in RANDCHECK_OPERATOR_TOKEN, RANDCHECK_AUDITOR_TOKEN and
 * RANDCHECK_INSPECTOR_TOKENS (a file of lines I410724-0001=rck_…).
 */

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;

public final class RandcheckClient {

    static final String USAGE = String.join("\n",
            "usage: java RandcheckClient [options]   (each option also an environment variable)",
            "  --url URL                 RANDCHECK_URL            default http://127.0.0.1:8000",
            "  --jurisdiction CODE       RANDCHECK_JURISDICTION   default 410724",
            "  --operator-token TOKEN    RANDCHECK_OPERATOR_TOKEN     (required)",
            "  --auditor-token TOKEN     RANDCHECK_AUDITOR_TOKEN      (required)",
            "  --inspector-tokens FILE   RANDCHECK_INSPECTOR_TOKENS   (required) lines ID=TOKEN",
            "  --registry FILE           RANDCHECK_REGISTRY        a registry to upload (.json, .xlsx, .csv)",
            "  --registry-digest HEX     RANDCHECK_REGISTRY_DIGEST or one already uploaded",
            "  --policy ID               RANDCHECK_POLICY         default benxi",
            "  --year N --quarter N      RANDCHECK_YEAR, _QUARTER default the last quarter that has ended",
            "  --draw-id ID              RANDCHECK_DRAW_ID        default <period>-java-<time>",
            "  --randomness TEXT         RANDCHECK_RANDOMNESS     the published randomness (default:",
            "                                                     20 random digits, for a demonstration)",
            "  --no-reveal                                        stop before the reveal");

    static final List<String> OPTIONS = List.of("--url", "--jurisdiction", "--operator-token",
            "--auditor-token", "--inspector-tokens", "--registry", "--registry-digest", "--policy",
            "--year", "--quarter", "--draw-id", "--randomness");

    static final ZoneOffset CHINA = ZoneOffset.ofHours(8);
    /** How long after the announcement the (demonstration) randomness comes to exist. */
    static final Duration RANDOMNESS_DELAY = Duration.ofSeconds(3);

    /** What the client was told: arguments first, then the environment, then defaults. */
    record Settings(
            String url,
            String jurisdiction,
            String operatorToken,
            String auditorToken,
            Map<String, String> inspectorTokens,
            Path registryFile,
            String registryDigest,
            String policy,
            int year,
            int quarter,
            String drawId,
            String randomness,
            boolean reveal) {

        static Settings parse(String[] args, Map<String, String> env) throws IOException {
            Map<String, String> given = new LinkedHashMap<>();
            boolean reveal = true;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--no-reveal")) {
                    reveal = false;
                } else if (arg.equals("-h") || arg.equals("--help")) {
                    System.out.println(USAGE);
                    System.exit(0);
                } else if (OPTIONS.contains(arg) && i + 1 < args.length) {
                    given.put(arg.substring(2), args[++i]);
                } else {
                    throw new IllegalArgumentException("unknown or incomplete argument: " + arg);
                }
            }
            // the last quarter that has ended, on the calendar in China
            LocalDate today = LocalDate.now(CHINA);
            int current = (today.getMonthValue() - 1) / 3 + 1;
            int lastYear = current == 1 ? today.getYear() - 1 : today.getYear();
            int lastQuarter = current == 1 ? 4 : current - 1;

            int year = Integer.parseInt(option(given, env, "year", String.valueOf(lastYear)));
            int quarter = Integer.parseInt(option(given, env, "quarter", String.valueOf(lastQuarter)));
            String registry = option(given, env, "registry", null);
            String digest = option(given, env, "registry-digest", null);
            if ((registry == null) == (digest == null)) {
                throw new IllegalArgumentException("give --registry FILE or --registry-digest HEX (one)");
            }
            String stamp = OffsetDateTime.now(CHINA).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"));
            return new Settings(
                    option(given, env, "url", "http://127.0.0.1:8000").replaceAll("/+$", ""),
                    option(given, env, "jurisdiction", "410724"),
                    required(given, env, "operator-token"),
                    required(given, env, "auditor-token"),
                    readTokens(Path.of(required(given, env, "inspector-tokens"))),
                    registry == null ? null : Path.of(registry),
                    digest,
                    option(given, env, "policy", "benxi"),
                    year,
                    quarter,
                    option(given, env, "draw-id", year + "Q" + quarter + "-java-" + stamp),
                    option(given, env, "randomness", null),
                    reveal);
        }

        /** --some-name, else RANDCHECK_SOME_NAME, else the default. */
        static String option(Map<String, String> given, Map<String, String> env, String name, String fallback) {
            String value = given.get(name);
            if (value == null) {
                value = env.get("RANDCHECK_" + name.toUpperCase().replace('-', '_'));
            }
            return value == null || value.isBlank() ? fallback : value;
        }

        static String required(Map<String, String> given, Map<String, String> env, String name) {
            String value = option(given, env, name, null);
            if (value == null) {
                throw new IllegalArgumentException("missing --" + name + " (or RANDCHECK_"
                        + name.toUpperCase().replace('-', '_') + ")");
            }
            return value;
        }

        /** The inspectors' tokens, one line each: 人员编号=token. */
        static Map<String, String> readTokens(Path file) throws IOException {
            Properties lines = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                lines.load(reader);
            }
            Map<String, String> tokens = new TreeMap<>();
            for (String id : lines.stringPropertyNames()) {
                tokens.put(id, lines.getProperty(id).trim());
            }
            return tokens;
        }
    }

    /** A reply that was not 2xx: the step, the status and the problem detail. */
    static final class ProblemException extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final transient Object problem;

        ProblemException(String step, int status, Object problem) {
            super(step);
            this.status = status;
            this.problem = problem;
        }
    }

    /** A 2xx reply: its status and its JSON body. */
    record Reply(int status, Object body) {
        String text(String... path) {
            Object value = Json.at(body, path);
            return value == null ? null : value.toString();
        }
    }

    private final Settings settings;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    RandcheckClient(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        Settings settings;
        try {
            settings = Settings.parse(args, System.getenv());
        } catch (IllegalArgumentException | IOException e) {
            out.println("error: " + e.getMessage());
            out.println(USAGE);
            System.exit(2);
            return;
        }
        try {
            new RandcheckClient(settings, out).run();
        } catch (ProblemException p) {
            out.printf("%-22s %d  FAILED%n", p.getMessage(), p.status);
            printProblem(out, p.problem);
            System.exit(1);
        } catch (IOException e) {
            out.println("error: cannot talk to " + settings.url() + ": " + e);
            System.exit(1);
        } catch (IllegalStateException e) {
            out.println("error: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    void run() throws IOException, InterruptedException, ProblemException {
        String operator = settings.operatorToken();
        String period = settings.year() + "Q" + settings.quarter();
        out.println("randcheck service " + settings.url() + ", jurisdiction " + settings.jurisdiction()
                + ", " + settings.policy() + " " + period);

        // 1. the registry 名录库: uploaded (REGISTRY_SNAPSHOT), or one the service holds
        String digest;
        if (settings.registryFile() != null) {
            Reply uploaded = upload(settings.registryFile(), operator);
            digest = uploaded.text("digest");
            step("upload registry", uploaded, "digest " + digest.substring(0, 12) + "… ("
                    + uploaded.text("entities") + " entities, " + uploaded.text("inspectors") + " inspectors)");
        } else {
            Reply held = call("registry", "GET", "/registries/" + settings.registryDigest(), operator, null);
            digest = held.text("digest");
            step("registry", held, "digest " + digest.substring(0, 12) + "… (" + held.text("entities") + " entities)");
        }

        // 2. announce 抽查公告: the randomness is declared before it exists
        OffsetDateTime randomnessAt = OffsetDateTime.now(CHINA).plus(RANDOMNESS_DELAY).truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> commit = new LinkedHashMap<>();
        commit.put("policy", settings.policy());
        commit.put("year", settings.year());
        commit.put("quarter", settings.quarter());
        commit.put("registry", digest);
        commit.put("draw_id", settings.drawId());
        commit.put("randomness", Map.of(
                "kind", "dice",
                "source", "示例 example: digits rolled by RandcheckClient (use a lottery draw or a witnessed ceremony)",
                "expected_at", randomnessAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)));
        Reply committed = call("commit draw", "POST", "/draws", operator, commit);
        String drawId = committed.text("draw_id");
        step("commit draw", committed, "draw " + drawId + ", commitment "
                + committed.text("announcement", "commitment").substring(0, 16) + "…");

        // 3. draw and seal 抽取封存, once the randomness exists
        Duration wait = Duration.between(OffsetDateTime.now(CHINA), randomnessAt).plusMillis(500);
        if (!wait.isNegative()) {
            Thread.sleep(wait.toMillis());
        }
        String randomness = settings.randomness() != null ? settings.randomness() : digits(20);
        Reply sealed = call("seal", "POST", "/draws/" + drawId + "/seal", operator,
                Map.of("public_randomness", randomness));
        step("seal", sealed, sealed.text("tasks") + " tasks drawn with " + randomness);

        // 4. dispatch 派发: each task to its team; the answer names no entity
        Reply dispatched = call("dispatch", "POST", "/draws/" + drawId + "/dispatch", operator, null);
        List<Object> tasks = Json.list(Json.at(dispatched.body(), "dispatched"));
        step("dispatch", dispatched, tasks.size() + " tasks dispatched");

        // 5. an inspector with a token, on one of the tasks (an on-site task has a team)
        String taskId = null;
        String inspectorId = null;
        for (Object task : tasks) {
            for (Object member : Json.list(Json.at(task, "team"))) {
                if (taskId == null && settings.inspectorTokens().containsKey(member.toString())) {
                    taskId = Json.at(task, "task_id").toString();
                    inspectorId = member.toString();
                }
            }
        }
        if (taskId == null) {
            throw new IllegalStateException("no inspector in --inspector-tokens is on a dispatched task");
        }
        String inspector = settings.inspectorTokens().get(inspectorId);
        String task = "/tasks/" + taskId;

        // the read that shows the entity is recorded first (LIST_ACCESSED, with the purpose)
        Reply read = call("read task", "GET", task + "?purpose=" + encode("准备检查 preparing the inspection"),
                inspector, null);
        step("read task", read, taskId + " as " + inspectorId + " (" + read.text("mode") + ")");
        Reply started = call("start inspection", "POST", task + "/start", inspector, null);
        step("start inspection", started, started.text("type") + " #" + started.text("seq"));
        Reply completed = call("complete inspection", "POST", task + "/complete", inspector, null);
        step("complete inspection", completed, completed.text("type") + " #" + completed.text("seq"));
        Map<String, Object> result = Map.of("outcome", "NO_PROBLEM", "facts", "现场检查未发现问题 (example)");
        Reply recorded = call("record result", "POST", task + "/result", inspector, result);
        step("record result", recorded, recorded.text("type") + " #" + recorded.text("seq"));

        // 6. reveal 揭示: only once every inspection has started or the quarter is over
        if (settings.reveal()) {
            Reply revealed = call("reveal", "POST", "/draws/" + drawId + "/reveal", operator, null);
            step("reveal", revealed, "DRAW_REVEALED #" + revealed.text("seq"));
        }

        // 7. the ledger head (public: publish it) and the audit verdict (an auditor)
        Reply head = call("ledger head", "GET", "/ledger/head", null, null);
        step("ledger head", head, head.text("hash") + " (" + head.text("events") + " events)");
        Reply verdict = call("audit verdict", "GET", "/audit?policy=" + encode(settings.policy())
                + "&year=" + settings.year() + "&quarter=" + settings.quarter(), settings.auditorToken(), null);
        Map<String, Object> counts = Json.object(Json.at(verdict.body(), "counts"));
        step("audit verdict", verdict, Json.list(Json.at(verdict.body(), "rules")).size() + " rules judged, passed "
                + verdict.text("passed"));

        out.println();
        out.println("task:         " + taskId + " (" + inspectorId + ")");
        out.println("result:       recorded as " + recorded.text("type") + " #" + recorded.text("seq"));
        out.println("ledger head:  " + head.text("hash") + ":" + head.text("events"));
        StringBuilder line = new StringBuilder();
        counts.forEach((status, n) -> line.append(line.length() == 0 ? "" : ", ").append(status).append(' ').append(n));
        out.println("verdict:      passed=" + verdict.text("passed") + "; " + line
                + " (as of " + verdict.text("as_of") + ", ledger " + verdict.text("ledger_head", "events") + " events)");
    }

    // --- HTTP ------------------------------------------------------------------------------

    /** One request under /j/{jurisdiction}; a JSON body (a Map) or none; 2xx or a ProblemException. */
    Reply call(String step, String method, String path, String token, Object json)
            throws IOException, InterruptedException, ProblemException {
        HttpRequest.BodyPublisher body = json == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(Json.write(json), StandardCharsets.UTF_8);
        HttpRequest.Builder request = request(path, token).method(method, body);
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return send(step, request.build());
    }

    /** A registry upload: multipart/form-data, the file as the "entities" field (a CSV
     *  registry's NAME.inspectors.csv and NAME.items.csv sent beside it when present). */
    Reply upload(Path file, String token) throws IOException, InterruptedException, ProblemException {
        String boundary = "randcheck-" + UUID.randomUUID();
        Map<String, Path> parts = new LinkedHashMap<>();
        parts.put("entities", file);
        String name = file.getFileName().toString();
        if (name.toLowerCase().endsWith(".csv")) {
            String stem = name.substring(0, name.length() - 4);
            for (String sibling : List.of("inspectors", "items")) {
                Path path = file.resolveSibling(stem + "." + sibling + ".csv");
                if (Files.exists(path)) {
                    parts.put(sibling, path);
                }
            }
        }
        List<byte[]> chunks = new ArrayList<>();
        for (Map.Entry<String, Path> part : parts.entrySet()) {
            chunks.add(("--" + boundary + "\r\n"
                    + "Content-Disposition: form-data; name=\"" + part.getKey() + "\"; filename=\""
                    + part.getValue().getFileName() + "\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            chunks.add(Files.readAllBytes(part.getValue()));
            chunks.add("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        chunks.add(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = request("/registries", token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArrays(chunks))
                .build();
        return send("upload registry", request);
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(settings.url() + "/j/" + settings.jurisdiction() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json, application/problem+json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }

    private Reply send(String step, HttpRequest request) throws IOException, InterruptedException, ProblemException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        Object body;
        try {
            body = response.body().isEmpty() ? null : Json.parse(response.body());
        } catch (IllegalArgumentException notJson) {
            body = response.body();
        }
        if (response.statusCode() / 100 != 2) {
            throw new ProblemException(step, response.statusCode(), body);
        }
        return new Reply(response.statusCode(), body);
    }

    private void step(String name, Reply reply, String summary) {
        out.printf("%-22s %d  %s%n", name, reply.status(), summary);
    }

    /** An RFC 9457 problem detail: type, title, detail, where, hint, and each error listed. */
    static void printProblem(PrintStream out, Object problem) {
        if (!(problem instanceof Map)) {
            out.println("  " + problem);
            return;
        }
        for (String key : List.of("type", "title", "status", "detail", "field", "where", "hint")) {
            Object value = Json.at(problem, key);
            if (value != null) {
                out.printf("  %-7s %s%n", key, value);
            }
        }
        for (String key : List.of("errors", "problems")) {
            Object listed = Json.at(problem, key);
            if (listed != null) {
                for (Object each : Json.list(listed)) {
                    out.println("  - " + Json.write(each));
                }
            }
        }
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    static String digits(int n) {
        SecureRandom random = new SecureRandom();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            text.append(random.nextInt(10));
        }
        return text.toString();
    }

    // --- JSON: just enough to write a request and read a reply ---------------------------

    /** JSON as Java values: objects are Maps, arrays Lists, numbers Long or Double. */
    static final class Json {
        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        static Object parse(String text) {
            Json parser = new Json(text);
            Object value = parser.value();
            parser.space();
            if (parser.at != text.length()) {
                throw parser.error("text after the JSON value");
            }
            return value;
        }

        /** The value at a path of object keys, or null. */
        static Object at(Object value, String... path) {
            for (String key : path) {
                if (!(value instanceof Map<?, ?> map)) {
                    return null;
                }
                value = map.get(key);
            }
            return value;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(Object value) {
            return value instanceof Map ? (Map<String, Object>) value : Map.of();
        }

        @SuppressWarnings("unchecked")
        static List<Object> list(Object value) {
            return value instanceof List ? (List<Object>) value : List.of();
        }

        static String write(Object value) {
            StringBuilder out = new StringBuilder();
            write(value, out);
            return out.toString();
        }

        private static void write(Object value, StringBuilder out) {
            if (value == null || value instanceof Boolean || value instanceof Number) {
                out.append(value);
            } else if (value instanceof Map<?, ?> map) {
                out.append('{');
                String comma = "";
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    out.append(comma);
                    write(entry.getKey().toString(), out);
                    out.append(':');
                    write(entry.getValue(), out);
                    comma = ",";
                }
                out.append('}');
            } else if (value instanceof List<?> list) {
                out.append('[');
                String comma = "";
                for (Object item : list) {
                    out.append(comma);
                    write(item, out);
                    comma = ",";
                }
                out.append(']');
            } else {
                out.append('"');
                for (char c : value.toString().toCharArray()) {
                    switch (c) {
                        case '"' -> out.append("\\\"");
                        case '\\' -> out.append("\\\\");
                        case '\n' -> out.append("\\n");
                        case '\r' -> out.append("\\r");
                        case '\t' -> out.append("\\t");
                        default -> {
                            if (c < 0x20) {
                                out.append(String.format("\\u%04x", (int) c));
                            } else {
                                out.append(c);
                            }
                        }
                    }
                }
                out.append('"');
            }
        }

        private Object value() {
            space();
            if (at >= text.length()) {
                throw error("a value");
            }
            char c = text.charAt(at);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++; // {
            space();
            if (peek('}')) {
                at++;
                return map;
            }
            while (true) {
                space();
                if (!peek('"')) {
                    throw error("a key");
                }
                String key = string();
                space();
                expect(':');
                map.put(key, value());
                space();
                if (peek(',')) {
                    at++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++; // [
            space();
            if (peek(']')) {
                at++;
                return list;
            }
            while (true) {
                list.add(value());
                space();
                if (peek(',')) {
                    at++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            StringBuilder out = new StringBuilder();
            at++; // "
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (at >= text.length()) {
                    break;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw error("four hex digits");
                        }
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> out.append(e); // \" \\ \/
                }
            }
            throw error("the end of a string");
        }

        private Object number() {
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String digits = text.substring(start, at);
            try {
                if (digits.matches("-?\\d+")) {
                    return Long.parseLong(digits);
                }
                return Double.parseDouble(digits);
            } catch (NumberFormatException e) {
                at = start;
                throw error("a value");
            }
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, at)) {
                throw error(word);
            }
            at += word.length();
            return value;
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private boolean peek(char c) {
            return at < text.length() && text.charAt(at) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("'" + c + "'");
            }
            at++;
        }

        private IllegalArgumentException error(String wanted) {
            return new IllegalArgumentException("JSON: expected " + wanted + " at character " + at);
        }
    }
}
