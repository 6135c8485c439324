package strait.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Record values that compress like real event data: JSON objects with varied ids, names, amounts and free text drawn
 * from a vocabulary, padded to an exact size. Not random letters (which do not compress) and not one repeated value
 * (which compresses absurdly well). Deterministic for a seed. Not thread-safe: one instance per producing thread.
 */
public final class Payloads {

    private static final String[] EVENTS = {
        "page_view",
        "add_to_cart",
        "checkout",
        "payment_authorized",
        "payment_captured",
        "refund_requested",
        "login",
        "logout",
        "search",
        "shipment_created",
        "review_posted"
    };
    private static final String[] COUNTRIES = {
        "DE", "FR", "US", "GB", "NL", "SE", "PL", "ES", "IT", "JP", "BR", "IN", "CA", "AU"
    };
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "SEK", "PLN", "JPY", "BRL", "INR"};
    private static final String[] PATHS = {
        "/products/", "/cart", "/checkout/step-", "/search?q=", "/account/orders/", "/category/", "/help/articles/"
    };
    private static final String[] AGENTS = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
        "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
        "okhttp/4.12.0",
        "python-requests/2.32.3"
    };
    private static final String[] WORDS = ("the order was delivered late but the support team replied quickly and "
                    + "offered a voucher for the next purchase customer asked about size exchange warehouse stock low item "
                    + "backordered expected restock next week payment retried after timeout gateway returned code fraud "
                    + "check passed address verified parcel handed to carrier tracking number updated invoice generated "
                    + "discount applied loyalty points credited newsletter consent given cookie banner accepted mobile app "
                    + "session resumed cart merged from guest checkout recommended bundle shown price dropped alert sent")
            .split(" ");

    private final SplittableRandom random;
    private final int size;
    private final StringBuilder text = new StringBuilder(1024);

    public Payloads(long seed, int size) {
        if (size < 64) {
            throw new IllegalArgumentException("record size must be at least 64 bytes, was " + size);
        }
        this.random = new SplittableRandom(seed);
        this.size = size;
    }

    /** The value of record number {@code id}: a JSON object of exactly {@code size} ASCII bytes. */
    public byte[] next(long id, long timestampMs) {
        StringBuilder b = text;
        b.setLength(0);
        b.append("{\"id\":")
                .append(id)
                .append(",\"ts\":")
                .append(timestampMs)
                .append(",\"event\":\"")
                .append(pick(EVENTS))
                .append("\",\"user\":\"u-")
                .append(random.nextInt(250_000))
                .append("\",\"session\":\"")
                .append(Long.toHexString(random.nextLong()))
                .append("\",\"country\":\"")
                .append(pick(COUNTRIES))
                .append("\",\"amount\":")
                .append(random.nextInt(100_000) / 100.0)
                .append(",\"currency\":\"")
                .append(pick(CURRENCIES))
                .append("\",\"path\":\"")
                .append(pick(PATHS))
                .append(random.nextInt(20_000))
                .append("\",\"agent\":\"")
                .append(pick(AGENTS))
                .append("\",\"note\":\"");
        int closing = 2; // "}
        while (b.length() + closing < size) {
            b.append(pick(WORDS)).append(' ');
        }
        b.setLength(Math.min(b.length(), size - closing));
        b.append("\"}");
        if (b.length() != size) {
            // Only when the fixed fields alone exceed the size: cut, still deterministic, still mostly text.
            b.setLength(size);
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }
}
