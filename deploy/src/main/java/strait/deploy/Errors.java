package strait.deploy;

import strait.config.SecretMasker;

/** Turns an unexpected failure into one line for the operator: its kind and message, secrets masked. */
final class Errors {

    private Errors() {
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + SecretMasker.maskMessage(root.getMessage());
        return root.getClass().getSimpleName() + message;
    }
}
