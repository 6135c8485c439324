package strait.proxy.internal;

import io.vertx.core.buffer.Buffer;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Reads the group requests a consumer sends its coordinator (classic Heartbeat, JoinGroup, SyncGroup; the consumer
 * protocol's ConsumerGroupHeartbeat) into {@link ConsumerMoves}, and writes the proxy's fencing answer to a heartbeat.
 */
final class GroupRequests {

    static final String MOVING = "the Strait cutover moves this group to the target cluster; rejoin";

    private GroupRequests() {}

    /** Whether {@code api} is one of the group requests this reads. */
    static boolean reads(ApiKeys api) {
        return api == ApiKeys.HEARTBEAT
                || api == ApiKeys.JOIN_GROUP
                || api == ApiKeys.SYNC_GROUP
                || api == ApiKeys.CONSUMER_GROUP_HEARTBEAT;
    }

    /**
     * What to do with a group request of a client at {@code host}.
     *
     * @throws RuntimeException when the request cannot be decoded
     */
    static ConsumerMoves.Action action(Buffer frame, ApiKeys api, short version, ConsumerMoves moves, String host) {
        KafkaFrames.Request request = KafkaFrames.readRequest(frame, api, version);
        String clientId =
                request.header().clientId() == null ? "" : request.header().clientId();
        switch (api) {
            case HEARTBEAT -> {
                HeartbeatRequestData data = new HeartbeatRequestData(request.body(), version);
                return moves.heartbeat(data.groupId(), new ConsumerMoves.Member(data.memberId(), clientId, host));
            }
            case JOIN_GROUP -> {
                JoinGroupRequestData data = new JoinGroupRequestData(request.body(), version);
                return moves.rejoin(data.groupId(), new ConsumerMoves.Member(data.memberId(), clientId, host));
            }
            case SYNC_GROUP -> {
                SyncGroupRequestData data = new SyncGroupRequestData(request.body(), version);
                return moves.rejoin(data.groupId(), new ConsumerMoves.Member(data.memberId(), clientId, host));
            }
            case CONSUMER_GROUP_HEARTBEAT -> {
                ConsumerGroupHeartbeatRequestData data = new ConsumerGroupHeartbeatRequestData(request.body(), version);
                return moves.consumerHeartbeat(
                        data.groupId(), new ConsumerMoves.Member(data.memberId(), clientId, host), data.memberEpoch());
            }
            default -> {
                return ConsumerMoves.Action.FORWARD;
            }
        }
    }

    /**
     * The proxy's answer to a heartbeat of a moving group's member: ILLEGAL_GENERATION (classic; the consumer resets
     * its generation, keeps its member id and gives its partitions up as lost) or FENCED_MEMBER_EPOCH (consumer
     * protocol; it releases its assignment and rejoins at epoch 0).
     */
    static Buffer fenceAnswer(Buffer frame, ApiKeys api, short version) {
        int correlationId = KafkaFrames.requestCorrelationId(frame);
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        if (api == ApiKeys.HEARTBEAT) {
            return KafkaFrames.writeResponse(
                    header, new HeartbeatResponseData().setErrorCode(Errors.ILLEGAL_GENERATION.code()), api, version);
        }
        ConsumerGroupHeartbeatResponseData answer = new ConsumerGroupHeartbeatResponseData()
                .setErrorCode(Errors.FENCED_MEMBER_EPOCH.code())
                .setErrorMessage(MOVING);
        return KafkaFrames.writeResponse(header, answer, api, version);
    }
}
