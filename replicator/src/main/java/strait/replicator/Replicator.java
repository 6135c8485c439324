package strait.replicator;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.StraitConfig;
import strait.config.TopicScope;
import strait.offsets.OffsetMap;
import strait.offsets.OffsetMapStore;
import strait.offsets.OffsetMaps;
import strait.offsets.WriterId;

/**
 * Copies every committed record of the topics in scope from the source to the same topic and partition on the
 * target, exactly once, in order, through restarts and crashes.
 *
 * <p>Threads: one admin worker ({@code strait-replicator-admin}: discovery, provisioning, reconciliation), one status
 * worker ({@code strait-replicator-status}: the snapshot behind {@code /status} and the gates, every second, so a
 * slow reconciliation never makes them stale), and the copy path's own ({@link PipelineCopyPath}: a fetch thread,
 * a sender thread, a JCTools SPSC queue between). At the start of a new link a short-lived {@code strait-writer-init}
 * thread asks the target for the link's producer id.
 * {@link #start}, {@link #close} are called by the owner; {@link #status} from any thread, never
 * blocking.
 *
 * <p>Life cycle: construct, {@link #start()} (blocks until the link fence is held and the first discovery and
 * reconciliation ran; steps that do not depend on each other run side by side, see {@code benchmarks/README.md},
 * "Start-up"), {@link #close()} (bounded: finishes the batch in flight, persists, stops every thread).
 * The {@link OffsetMapStore} stays open: its owner closes it after this.
 */
public final class Replicator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);
    private static final long STATUS_INTERVAL_MS = 1_000;
    private static final long RECONCILE_CHECK_MS = 200;

    private final StraitConfig config;
    private final OffsetMaps maps;
    private final OffsetMapStore store;
    private final MeterRegistry registry;

    private ScheduledExecutorService admin;
    /** Refreshes the status snapshot alone, so a slow discovery or reconciliation cannot make the gates stale. */
    private ScheduledExecutorService statusWorker;

    private Admin sourceAdmin;
    private Admin targetAdmin;
    private LinkFence fence;
    private TailReconciler reconciler;
    private volatile ReplicationController controller;
    private CopyPath copyPath;
    private volatile boolean started;
    private volatile boolean closed;

    public Replicator(StraitConfig config, OffsetMaps maps, OffsetMapStore store, MeterRegistry registry) {
        this.config = config;
        this.maps = maps;
        this.store = store;
        this.registry = registry;
    }

    /**
     * Fences older instances of the link, loads the persisted maps, starts the threads and runs the first topic
     * discovery with reconciliation. Call once.
     *
     * @throws ReplicatorException when the link cannot be started (fence, offsets topic unreadable)
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        Map<String, Object> sourceProps = config.sourceClientProps();
        Map<String, Object> targetProps = config.targetClientProps();
        String link = config.linkName();
        try {
            sourceAdmin = Admin.create(sourceProps);
            targetAdmin = Admin.create(targetProps);
            TopicProvisioner provisioner = new TopicProvisioner(
                    sourceAdmin,
                    targetAdmin,
                    TopicScope.of(config),
                    config.getShort(StraitConfig.TARGET_REPLICATION_FACTOR));
            admin = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "strait-replicator-admin"));
            // The first discovery and provisioning write no record (listing, creating and growing target topics):
            // the admin worker runs it while this thread fences the link and loads the maps. Only applying it
            // (registering, reconciling and assigning partitions) waits for those.
            Future<TopicProvisioner.Result> firstSync = admin.submit(provisioner::sync);
            fence = LinkFence.acquire(targetAdmin, targetProps, link);
            // A new link has no writer yet: its producer id is asked for while the fence's last word is read and the
            // maps are loaded. Persisting it still waits for those, and the first one persisted still wins.
            CompletableFuture<WriterId> newWriter = store.createdTopic() ? allocateWriter(targetProps, link) : null;
            waitOutOlderInstance(fence.lastWord(targetAdmin));
            Map<TopicPartition, OffsetMap> loaded = store.load();
            if (store.writer().isEmpty()) {
                // First start of the link (or of a version that did not keep one): the first writer persisted wins,
                // so reading again settles a race with an instance that allocated one at the same time.
                store.persistWriter(
                        newWriter != null
                                ? allocated(newWriter)
                                : TargetWriter.allocate(targetProps, "strait-" + link + "-writer-init"));
                loaded = store.load();
            }
            WriterId writer = store.writer().orElseThrow();
            LOG.info(
                    "loaded {} persisted offset maps of link {}; writing as producer id {} epoch {}",
                    loaded.size(),
                    link,
                    writer.producerId(),
                    writer.epoch());

            ReplicatorMetrics metrics = new ReplicatorMetrics(registry);
            reconciler = new TailReconciler(sourceProps, targetProps, "strait-" + link);
            Map<PartitionState, ReplicatorMetrics.PartitionMeters> meters = new ConcurrentHashMap<>();
            controller = new ReplicationController(
                    provisioner,
                    reconciler,
                    sourceAdmin,
                    targetAdmin,
                    maps,
                    store,
                    metrics,
                    loaded,
                    store.sourceTopicIds(),
                    meters);

            copyPath = new PipelineCopyPath(config, store, writer, meters, metrics, fence, controller);
            controller.copyPath(copyPath);
            copyPath.start();

            admin.submit(() -> controller.refreshTopics(() -> outcome(firstSync)))
                    .get(5, TimeUnit.MINUTES);
            // The partitions are assigned and their first fetches under way: prove the fence now, alongside them, so
            // the sender's check before its first write finds a fresh proof instead of making one (a transaction).
            fence.check();
            statusWorker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "strait-replicator-status"));
            statusWorker.submit(controller::refreshStatus).get(1, TimeUnit.MINUTES);
            long refresh = config.getLong(StraitConfig.TOPICS_REFRESH_INTERVAL_MS);
            admin.scheduleWithFixedDelay(guarded(controller::refreshTopics), refresh, refresh, TimeUnit.MILLISECONDS);
            admin.scheduleWithFixedDelay(
                    guarded(controller::reconcileDue), RECONCILE_CHECK_MS, RECONCILE_CHECK_MS, TimeUnit.MILLISECONDS);
            statusWorker.scheduleWithFixedDelay(
                    guarded(controller::refreshStatus), STATUS_INTERVAL_MS, STATUS_INTERVAL_MS, TimeUnit.MILLISECONDS);
            LOG.info("replicator of link {} started", link);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new ReplicatorException("interrupted while starting the replicator", e);
        } catch (ExecutionException | TimeoutException e) {
            close();
            throw new ReplicatorException("the replicator's first topic discovery failed: " + Failures.describe(e), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * An older instance notices the fence within one check interval; give it that before reading the target. When no
     * instance proved it held the fence recently (none checked within the grace plus one interval), no instance can
     * be writing on the strength of a recent check, and waiting would only delay every start. An instance that
     * stopped cleanly released the fence after its last write was acked: nothing of it can land any more.
     */
    private static void waitOutOlderInstance(java.util.Optional<LinkFence.LastWord> last) throws InterruptedException {
        if (last.isEmpty()) {
            return;
        }
        if (last.get().released()) {
            LOG.info(
                    "the previous instance of the link stopped cleanly at {}: not waiting",
                    last.get().at());
            return;
        }
        java.time.Instant now = java.time.Instant.now();
        if (last.get().at().isAfter(now.minus(LinkFence.GRACE).minus(LinkFence.CHECK_INTERVAL))) {
            LOG.info(
                    "another instance of the link checked the fence at {}: waiting {} before reading the target",
                    last.get().at(),
                    LinkFence.GRACE);
            Thread.sleep(LinkFence.GRACE.toMillis());
        }
    }

    /** Allocates the link's producer id on a thread of its own ({@code strait-writer-init}). */
    private static CompletableFuture<WriterId> allocateWriter(Map<String, Object> targetProps, String link) {
        CompletableFuture<WriterId> writer = new CompletableFuture<>();
        Thread thread = new Thread(
                () -> {
                    try {
                        writer.complete(TargetWriter.allocate(targetProps, "strait-" + link + "-writer-init"));
                    } catch (Throwable e) {
                        writer.completeExceptionally(e);
                    }
                },
                "strait-writer-init");
        thread.setDaemon(true);
        thread.start();
        return writer;
    }

    private static WriterId allocated(CompletableFuture<WriterId> writer) throws InterruptedException {
        try {
            return writer.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause
                    ? cause
                    : new ReplicatorException("cannot allocate the link's producer id: " + e.getCause(), e.getCause());
        }
    }

    /** The outcome of a task that ran on the admin worker, its own failure rethrown as is. */
    private static <T> T outcome(Future<T> task) throws Exception {
        try {
            return task.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // A periodic task that throws is never run again: log and keep the schedule.
                LOG.warn("replicator task failed: {}", Failures.describe(e), e);
            }
        };
    }

    /** The latest snapshot; {@link ReplicatorStatus#EMPTY} before the first refresh. Any thread, never blocks. */
    public ReplicatorStatus status() {
        ReplicationController c = controller;
        return c == null ? ReplicatorStatus.EMPTY : c.status();
    }

    /** Stops every thread and client; idempotent, bounded (about 15 s at worst). */
    @Override
    public synchronized void close() {
        stop(true);
    }

    /**
     * Stops for good at a cutover's switch, as {@link #close} does but leaving the link's fence as it is: the link
     * never replicates again, so no next instance waits on it, and releasing it is a write on the target while the
     * producers' writes are held.
     */
    public synchronized void closeAtSwitch() {
        stop(false);
    }

    private void stop(boolean releaseFence) {
        if (closed) {
            return;
        }
        closed = true;
        if (statusWorker != null) {
            statusWorker.shutdownNow();
        }
        if (admin != null) {
            admin.shutdownNow();
            awaitQuietly(admin);
        }
        if (statusWorker != null) {
            awaitQuietly(statusWorker);
        }
        closeQuietly(copyPath);
        closeQuietly(reconciler);
        closeQuietly(sourceAdmin);
        closeQuietly(targetAdmin);
        boolean persisted = true;
        try {
            store.flush();
        } catch (RuntimeException e) {
            persisted = false;
            LOG.warn(
                    "offset maps not all persisted at shutdown (reconciled on the next start): {}",
                    Failures.describe(e));
        }
        // Last: once released, the next instance reads the target and the offsets topic at once.
        if (releaseFence && fence != null && copyPath != null && copyPath.quiescent() && persisted) {
            fence.release();
        }
        closeQuietly(fence);
        LOG.info("replicator stopped");
    }

    private static void awaitQuietly(ScheduledExecutorService executor) {
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("a replicator worker did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", closeable.getClass().getSimpleName(), Failures.describe(e));
        }
    }
}
