package nativebuild;

/** A native build that cannot go on: one line naming the cause (NativeImageBuild prints it and exits 1). */
public final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Failure(String message) {
        super(message);
    }
}
