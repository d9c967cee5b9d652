package dev.berth.proxy.frontend;

import dev.berth.config.UserCredential;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The accounts the server verified, when Berth has none of its own: name and password of each login the backend
 * accepted, so that later logins of the account are checked here, without a backend login each. An account whose
 * password no longer matches is verified by the server again (and forgotten when it refuses). Bounded: past
 * {@link #MAX_ACCOUNTS} one is forgotten, to be learnt again at its next login.
 */
final class LearntAccounts {
    static final int MAX_ACCOUNTS = 10_000;

    private final ConcurrentHashMap<String, UserCredential> accounts = new ConcurrentHashMap<>();

    UserCredential get(String user) {
        return accounts.get(user);
    }

    void learn(String user, byte[] password) {
        if (accounts.size() >= MAX_ACCOUNTS && !accounts.containsKey(user)) {
            Iterator<String> any = accounts.keySet().iterator();
            if (any.hasNext()) {
                accounts.remove(any.next());
            }
        }
        accounts.put(user, new UserCredential(user, Optional.of(password.clone()), Optional.empty()));
    }

    void forget(String user) {
        accounts.remove(user);
    }

    @Override
    public String toString() {
        return accounts.size() + " learnt accounts";
    }

}
