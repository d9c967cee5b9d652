package dev.berth.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A file of client accounts, one per line, each written as on the command line: {@code name:password} or
 * {@code name:*HEX} (the mysql_native_password hash, as in {@code mysql.user.authentication_string}); a line
 * whose secret starts with {@code *} but is no such hash is an error, not a plain password.
 *
 * <p>Blank lines and lines whose first non-blank character is {@code #} are ignored. Whitespace around a line
 * is ignored; there are no trailing comments, so a password may contain {@code #}. Errors name the file and
 * the line, as {@code path:line: message}.
 */
public final class UsersFile {

    private UsersFile() {
    }

    /** Reads the accounts in {@code file}; throws {@link IllegalArgumentException} naming the file and line. */
    public static List<UserCredential> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("users file " + file + ": cannot read it (" + describe(e) + ")", e);
        }
        return parse(file.toString(), lines);
    }

    /** Parses the lines of a users file; {@code source} names the file in error messages. */
    public static List<UserCredential> parse(String source, List<String> lines) {
        List<UserCredential> users = new ArrayList<>();
        Map<String, Integer> lineOfName = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            UserCredential user;
            try {
                user = UserCredential.parse(line);
            } catch (UserCredential.NotAHashException e) {
                throw new IllegalArgumentException(source + ":" + lineNumber + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                // The parse message quotes the whole line, password included: say which line instead.
                throw new IllegalArgumentException(source + ":" + lineNumber
                        + ": write name:password or name:*HEX (40 hex digits)", e);
            }
            Integer earlier = lineOfName.putIfAbsent(user.name(), lineNumber);
            if (earlier != null) {
                throw new IllegalArgumentException(source + ":" + lineNumber + ": user '" + user.name()
                        + "' is already given on line " + earlier);
            }
            users.add(user);
        }
        return List.copyOf(users);
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
