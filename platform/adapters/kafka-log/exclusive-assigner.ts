import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

const NAME = 'PicsearchExclusiveAssigner';
const OWNER = Buffer.from([1]);
const STANDBY = Buffer.from([0]);

/**
 * Gives every partition of the subscribed topics to one member; the others
 * stand by and take over when it leaves. For consumers that must be the
 * single writer of something (the dense-id allocator). The current owner
 * says so in its join metadata and keeps ownership across rebalances, so a
 * standby joining does not move the work.
 */
export function exclusiveAssigner(ownsPartitions: () => boolean): PartitionAssigner {
  return ({ cluster }) => ({
    name: NAME,
    version: 1,
    async assign({ members, topics }) {
      if (members.length === 0) return [];
      const owner =
        members.find((m) => AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData?.[0] === 1) ??
        [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1))[0]!;
      const assignment: Record<string, number[]> = {};
      for (const topic of topics) {
        assignment[topic] = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
      }
      return members.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: m.memberId === owner.memberId ? assignment : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: ownsPartitions() ? OWNER : STANDBY,
        }),
      };
    },
  });
}
