import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Apache Kafka's Java client (kafka-clients 3.9) driven by java-client.test.ts.
 *
 * <pre>
 * produce BOOTSTRAP TOPIC COUNT CODEC PARTITIONS IDEMPOTENCE
 *                                                 the compat records, record i to partition i % PARTITIONS,
 *                                                 acks=all; IDEMPOTENCE default keeps the producer's
 *                                                 default (true), false sets enable.idempotence=false
 * consume BOOTSTRAP TOPIC COUNT                   COUNT records of partition 0 from the start (assign, no group);
 *                                                 one line each: offset, key, value, headers
 * group-consume BOOTSTRAP TOPIC GROUP COUNT       subscribe in GROUP (earliest without a committed offset),
 *                                                 commitSync after each poll, close (LeaveGroup) after COUNT;
 *                                                 one line each: partition, offset, key, value, headers
 * admin BOOTSTRAP TOPIC                           create (3 partitions, retention.ms), list, describe topic and
 *                                                 configs, grow to 5 partitions, delete; one JSON object
 * eos BOOTSTRAP INPUT OUTPUT GROUP COUNT ABORT_EVERY
 *                                                 the exactly-once pattern: a read_committed group consumer of
 *                                                 INPUT and a transactional producer; per poll one transaction
 *                                                 that writes out-VALUE to OUTPUT (same partition) and commits
 *                                                 the offsets with sendOffsetsToTransaction(groupMetadata());
 *                                                 every ABORT_EVERY-th is aborted instead and the consumer
 *                                                 rewound to the committed offsets; ends once COUNT input
 *                                                 records are committed; prints "committed C aborted A"
 * acls BOOTSTRAP PRINCIPAL TOPIC                 createAcls: READ on TOPIC, WRITE on the PREFIXED first four
 *                                                 characters of TOPIC and READ on every group for PRINCIPAL;
 *                                                 describeAcls with a MATCH filter on TOPIC and with ANY;
 *                                                 deleteAcls of the group ACL; a CLUSTER ACL on another name
 *                                                 (refused); one JSON object
 * produce-paced BOOTSTRAP TOPIC COUNT PAUSE_MS   COUNT records to partition 0, one at a time: each acknowledged,
 *                                                 then PAUSE_MS of quiet, so a SASL session shorter than the run
 *                                                 must be renewed (KIP-368 re-authentication); prints "acked N"
 * read-committed BOOTSTRAP TOPIC PARTITIONS ISOLATION
 *                                                 every partition from the start up to its end offset under
 *                                                 ISOLATION (read_committed: the last stable offset); one line
 *                                                 per record: partition, value
 * </pre>
 *
 * The records are those of helpers/compat-records.ts: key key-i, a null value when i % 10 == 3,
 * otherwise value-i- padded with i % 37 x's, headers trace=compat and lang=any. Every client id
 * starts with compat-java so the broker's log attributes the requests.
 */
public final class JavaCompat {
  private static final String CLIENT_ID = "compat-java";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String bootstrap = args[1];
    switch (mode) {
      case "produce":
        produce(
            bootstrap, args[2], Integer.parseInt(args[3]), args[4], Integer.parseInt(args[5]), args[6]);
        break;
      case "consume":
        consume(bootstrap, args[2], Integer.parseInt(args[3]));
        break;
      case "group-consume":
        groupConsume(bootstrap, args[2], args[3], Integer.parseInt(args[4]));
        break;
      case "admin":
        admin(bootstrap, args[2]);
        break;
      case "eos":
        eos(
            bootstrap,
            args[2],
            args[3],
            args[4],
            Integer.parseInt(args[5]),
            Integer.parseInt(args[6]));
        break;
      case "acls":
        acls(bootstrap, args[2], args[3]);
        break;
      case "produce-paced":
        producePaced(bootstrap, args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
        break;
      case "read-committed":
        readCommitted(bootstrap, args[2], Integer.parseInt(args[3]), args[4]);
        break;
      default:
        throw new IllegalArgumentException("unknown mode " + mode);
    }
  }

  static String key(int i) {
    return "key-" + i;
  }

  static String value(int i) {
    return i % 10 == 3 ? null : "value-" + i + "-" + "x".repeat(i % 37);
  }

  static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] b) {
    return b == null ? "NULL" : new String(b, StandardCharsets.UTF_8);
  }

  /**
   * Client properties from the file STROM_COMPAT_CLIENT_PROPERTIES names (security.protocol,
   * sasl.*, ssl.*), added to every client's: the security tests run the same modes over TLS and SASL.
   */
  static Properties withSecurity(Properties p) {
    String file = System.getenv("STROM_COMPAT_CLIENT_PROPERTIES");
    if (file == null || file.isEmpty()) return p;
    try (java.io.Reader r = java.nio.file.Files.newBufferedReader(java.nio.file.Paths.get(file))) {
      Properties extra = new Properties();
      extra.load(r);
      p.putAll(extra);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return p;
  }

  static Properties producerProps(String bootstrap, String clientId) {
    Properties p = withSecurity(new Properties());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  static void produce(
      String bootstrap, String topic, int count, String codec, int partitions, String idempotence)
      throws Exception {
    Properties p = producerProps(bootstrap, CLIENT_ID + "-producer");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // Idempotent by default since Kafka 3.0 (KIP-679): InitProducerId first, then batches carrying
    // the producer id and sequence numbers; false sends batches without them.
    if (idempotence.equals("false")) p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    else if (!idempotence.equals("default")) throw new IllegalArgumentException(idempotence);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      List<Future<RecordMetadata>> sent = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(topic, i % partitions, bytes(key(i)), bytes(value(i)));
        r.headers().add("trace", bytes("compat")).add("lang", bytes("any"));
        sent.add(producer.send(r));
      }
      for (Future<RecordMetadata> f : sent) f.get();
    }
  }

  static void producePaced(String bootstrap, String topic, int count, long pauseMs) throws Exception {
    Properties p = producerProps(bootstrap, CLIENT_ID + "-paced");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    int acked = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, 0, bytes(key(i)), bytes(value(i)))).get();
        acked++;
        Thread.sleep(pauseMs);
      }
    }
    System.out.println("acked " + acked);
  }

  static Properties consumerProps(String bootstrap, String clientId) {
    Properties p = withSecurity(new Properties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }

  static String headers(ConsumerRecord<byte[], byte[]> r) {
    StringBuilder sb = new StringBuilder();
    for (Header h : r.headers()) {
      if (sb.length() > 0) sb.append(',');
      sb.append(h.key()).append('=').append(text(h.value()));
    }
    return sb.toString();
  }

  static void consume(String bootstrap, String topic, int count) {
    Properties p = consumerProps(bootstrap, CLIENT_ID + "-consumer");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(Collections.singletonList(tp));
      consumer.seekToBeginning(Collections.singletonList(tp));
      StringBuilder out = new StringBuilder();
      int seen = 0;
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (seen < count) {
        if (System.nanoTime() > deadline) fail("read " + seen + " of " + count + " records");
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          out.append(r.offset()).append('\t').append(text(r.key())).append('\t');
          out.append(text(r.value())).append('\t').append(headers(r)).append('\n');
          seen++;
        }
      }
      System.out.print(out);
    }
  }

  static void groupConsume(String bootstrap, String topic, String group, int count) {
    Properties p = consumerProps(bootstrap, CLIENT_ID + "-group");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(Collections.singletonList(topic));
      StringBuilder out = new StringBuilder();
      int seen = 0;
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (seen < count) {
        if (System.nanoTime() > deadline) fail("read " + seen + " of " + count + " records");
        var records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : records) {
          out.append(r.partition()).append('\t').append(r.offset()).append('\t');
          out.append(text(r.key())).append('\t').append(text(r.value())).append('\t');
          out.append(headers(r)).append('\n');
          seen++;
        }
        if (!records.isEmpty()) consumer.commitSync();
      }
      System.out.print(out);
    }
  }

  static void eos(
      String bootstrap, String input, String output, String group, int count, int abortEvery) {
    Properties cp = consumerProps(bootstrap, CLIENT_ID + "-eos-consumer");
    cp.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Small polls, so the records make many transactions and some of them are aborted.
    cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "50");
    Properties pp = producerProps(bootstrap, CLIENT_ID + "-eos-producer");
    pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, CLIENT_ID + "-eos-" + group);
    int committedRecords = 0;
    int committed = 0;
    int aborted = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
      producer.initTransactions();
      consumer.subscribe(Collections.singletonList(input));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      int transactions = 0;
      while (committedRecords < count) {
        if (System.nanoTime() > deadline) fail("committed " + committedRecords + " of " + count);
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        if (records.isEmpty()) continue;
        producer.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          producer.send(
              new ProducerRecord<>(output, r.partition(), r.key(), bytes("out-" + text(r.value()))));
          offsets.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        if (++transactions % abortEvery == 0) {
          producer.abortTransaction();
          aborted++;
          // Process the aborted records again, from the offsets the group has committed.
          Map<TopicPartition, OffsetAndMetadata> last = consumer.committed(consumer.assignment());
          for (TopicPartition tp : consumer.assignment()) {
            OffsetAndMetadata o = last.get(tp);
            if (o == null) consumer.seekToBeginning(Collections.singletonList(tp));
            else consumer.seek(tp, o.offset());
          }
        } else {
          producer.commitTransaction();
          committed++;
          committedRecords += records.count();
        }
      }
    }
    System.out.println("committed " + committed + " aborted " + aborted);
  }

  static void readCommitted(String bootstrap, String topic, int partitions, String isolation) {
    Properties p = consumerProps(bootstrap, CLIENT_ID + "-read-committed");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < partitions; i++) tps.add(new TopicPartition(topic, i));
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      // Under read_committed the end offsets are the last stable offsets.
      Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
      StringBuilder out = new StringBuilder();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) fail("did not reach the end offsets " + ends);
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          out.append(r.partition()).append('\t').append(text(r.value())).append('\n');
        }
      }
      System.out.print(out);
    }
  }

  static void admin(String bootstrap, String topic) throws Exception {
    Properties p = withSecurity(new Properties());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID + "-admin");
    try (Admin admin = Admin.create(p)) {
      Map<String, String> configs = Collections.singletonMap("retention.ms", "3600000");
      admin
          .createTopics(Collections.singletonList(new NewTopic(topic, 3, (short) 1).configs(configs)))
          .all()
          .get();
      // DescribeProducers (KIP-664): the default (idempotent) producer's state on partition 0 after
      // three sends acknowledged one at a time, so three batches with sequences 0, 1 and 2.
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(producerProps(bootstrap, CLIENT_ID + "-admin-producer"))) {
        for (int i = 0; i < 3; i++)
          producer.send(new ProducerRecord<>(topic, 0, bytes(key(i)), bytes(value(i)))).get();
      }
      TopicPartition tp0 = new TopicPartition(topic, 0);
      List<ProducerState> producers =
          admin.describeProducers(List.of(tp0)).partitionResult(tp0).get().activeProducers();
      boolean listed = admin.listTopics().names().get().contains(topic);
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      TreeSet<Integer> partitions = new TreeSet<>();
      d.partitions().forEach(tp -> partitions.add(tp.partition()));
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
      String retention = config.get("retention.ms").value();
      admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(5))).all().get();
      int grown =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      String clusterId = admin.describeCluster().clusterId().get();
      Collection<Integer> nodes = new TreeSet<>();
      admin.describeCluster().nodes().get().forEach(n -> nodes.add(n.id()));
      admin.deleteTopics(List.of(topic)).all().get();
      boolean afterDelete = admin.listTopics().names().get().contains(topic);
      Map<String, Object> out = new TreeMap<>();
      out.put("listed", listed);
      out.put("partitions", partitions);
      out.put("leader", d.partitions().get(0).leader().id());
      out.put("internal", d.isInternal());
      out.put("retention.ms", retention);
      out.put("grown", grown);
      out.put("cluster", clusterId != null && !clusterId.isEmpty());
      out.put("nodes", nodes);
      out.put("after_delete", afterDelete);
      out.put("producers", producers.size());
      out.put(
          "producer_last_sequence", producers.isEmpty() ? -1 : producers.get(0).lastSequence());
      out.put(
          "producer_epoch", producers.isEmpty() ? -1 : producers.get(0).producerEpoch());
      System.out.println(json(out));
    }
  }

  /** Enough JSON for the admin summary: strings, booleans, numbers and collections of numbers. */
  static void acls(String bootstrap, String principal, String topic) throws Exception {
    Properties p = withSecurity(new Properties());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID + "-acls");
    try (Admin admin = Admin.create(p)) {
      AccessControlEntry read = new AccessControlEntry(principal, "*", AclOperation.READ, AclPermissionType.ALLOW);
      AccessControlEntry write = new AccessControlEntry(principal, "*", AclOperation.WRITE, AclPermissionType.ALLOW);
      AclBinding topicRead = new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL), read);
      AclBinding prefixWrite =
          new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic.substring(0, 4), PatternType.PREFIXED), write);
      AclBinding anyGroup = new AclBinding(new ResourcePattern(ResourceType.GROUP, "*", PatternType.LITERAL), read);
      admin.createAcls(List.of(topicRead, prefixWrite, anyGroup)).all().get();
      TreeSet<String> matched = new TreeSet<>();
      admin
          .describeAcls(
              new AclBindingFilter(
                  new ResourcePatternFilter(ResourceType.TOPIC, topic, PatternType.MATCH),
                  AccessControlEntryFilter.ANY))
          .values()
          .get()
          .forEach(
              b ->
                  matched.add(
                      b.pattern().patternType() + ":" + b.pattern().name() + ":" + b.entry().operation()));
      int all = admin.describeAcls(AclBindingFilter.ANY).values().get().size();
      int deleted = admin.deleteAcls(List.of(anyGroup.toFilter())).all().get().size();
      int afterDelete = admin.describeAcls(AclBindingFilter.ANY).values().get().size();
      String refused;
      try {
        admin
            .createAcls(
                List.of(new AclBinding(new ResourcePattern(ResourceType.CLUSTER, "other", PatternType.LITERAL), read)))
            .all()
            .get();
        refused = "none";
      } catch (ExecutionException e) {
        refused = e.getCause().getClass().getSimpleName();
      }
      Map<String, Object> out = new TreeMap<>();
      out.put("matched", String.join(",", matched));
      out.put("all", all);
      out.put("deleted", deleted);
      out.put("after_delete", afterDelete);
      out.put("refused", refused);
      System.out.println(json(out));
    }
  }

  static String json(Map<String, Object> m) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, Object> e : m.entrySet()) {
      if (sb.length() > 1) sb.append(',');
      sb.append('"').append(e.getKey()).append("\":");
      Object v = e.getValue();
      if (v instanceof String) sb.append('"').append(v).append('"');
      else if (v instanceof Collection) sb.append(v.toString().replace(" ", ""));
      else sb.append(v);
    }
    return sb.append('}').toString();
  }

  static void fail(String message) {
    System.err.println(message);
    System.exit(1);
  }

  private JavaCompat() {}
}
