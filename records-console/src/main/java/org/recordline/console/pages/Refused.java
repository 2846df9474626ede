package org.recordline.console.pages;

/**
 * A service refused the signed-in person (403), their session's token is no longer accepted (401), or a service did
 * not answer: shown as a page of its own with that status.
 */
public class Refused extends RuntimeException {

    private final int status;

    public Refused(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** {@code answer} itself unless it is a 401, a 403 or a 5xx, which end the page. */
    public static Answer unlessFatal(Answer answer) {
        if (answer.status() == 401) {
            throw new Refused(401, "Your sign-in is no longer accepted by the services. Sign out and sign in again.");
        }
        if (answer.status() == 403) {
            throw new Refused(403, "Your roles do not open this page or its data.");
        }
        if (answer.status() >= 500) {
            throw new Refused(503, "A service did not answer (HTTP " + answer.status() + "). Try again shortly.");
        }
        return answer;
    }
}
