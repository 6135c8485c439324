package strait.config;

/** Prints the generated configuration reference, to paste into README.md. */
final class PrintConfigReference {

    private PrintConfigReference() {}

    public static void main(String[] args) {
        System.out.print(StraitConfig.markdownReference());
    }
}
