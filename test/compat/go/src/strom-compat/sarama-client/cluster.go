package main

// The modes that spread over a cluster's brokers (every partition of a topic, not partition 0):
//
//	sarama-client produce-keyed BOOTSTRAP TOPIC COUNT
//	    (the compat records partitioned by sarama's hash partitioner, acks=all; one
//	    "partition<TAB>offset<TAB>key" line per acknowledged record)
//	sarama-client consume-all BOOTSTRAP TOPIC COUNT
//	    (a partition consumer on every partition from the oldest offset, each fetching from its
//	    leader, until COUNT records; one "partition<TAB>offset<TAB>key" line each)
//	sarama-client group-consume-all BOOTSTRAP TOPIC COUNT GROUP
//	    (a ConsumerGroup member reading COUNT records of every partition, as consume-all prints
//	    them; it leaves once the coordinator has the commit of every partition it read)
//	sarama-client create-topic BROKER TOPIC PARTITIONS CHECK
//	    (CreateTopics v2 sent to BROKER itself, not to the controller that sarama's ClusterAdmin
//	    would pick, then Metadata through CHECK until the topic has PARTITIONS partitions with
//	    leaders; prints JSON: the error CreateTopics returned and the leaders CHECK reports)

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/Shopify/sarama"

	"strom-compat/records"
)

func clusterLine(partition int32, offset int64, key []byte) string {
	return fmt.Sprintf("%d\t%d\t%s\n", partition, offset, key)
}

func produceKeyed(bootstrap, topic string, count int) {
	c := config()
	c.Producer.Partitioner = sarama.NewHashPartitioner
	p, err := sarama.NewSyncProducer([]string{bootstrap}, c)
	if err != nil {
		records.Fail("producer: %v", err)
	}
	msgs := make([]*sarama.ProducerMessage, 0, count)
	for i := 0; i < count; i++ {
		key, value := records.Record(i)
		m := &sarama.ProducerMessage{Topic: topic, Key: sarama.ByteEncoder(key)}
		if value != nil {
			m.Value = sarama.ByteEncoder(value)
		}
		msgs = append(msgs, m)
	}
	if err := p.SendMessages(msgs); err != nil {
		if errs, ok := err.(sarama.ProducerErrors); ok && len(errs) > 0 {
			records.Fail("send: %v", errs[0].Err)
		}
		records.Fail("send: %v", err)
	}
	out := bufio.NewWriter(os.Stdout)
	for _, m := range msgs {
		key, _ := m.Key.Encode()
		out.WriteString(clusterLine(m.Partition, m.Offset, key))
	}
	out.Flush()
	if err := p.Close(); err != nil {
		records.Fail("close: %v", err)
	}
}

func consumeAll(bootstrap, topic string, count int) {
	c, err := sarama.NewConsumer([]string{bootstrap}, config())
	if err != nil {
		records.Fail("consumer: %v", err)
	}
	partitions, err := c.Partitions(topic)
	if err != nil {
		records.Fail("partitions: %v", err)
	}
	lines := make(chan string)
	failed := make(chan error)
	pcs := make([]sarama.PartitionConsumer, 0, len(partitions))
	for _, partition := range partitions {
		pc, err := c.ConsumePartition(topic, partition, sarama.OffsetOldest)
		if err != nil {
			records.Fail("consume partition %d: %v", partition, err)
		}
		pcs = append(pcs, pc)
		go func(pc sarama.PartitionConsumer) {
			for {
				select {
				case m, ok := <-pc.Messages():
					if !ok {
						return
					}
					lines <- clusterLine(m.Partition, m.Offset, m.Key)
				case err, ok := <-pc.Errors():
					if ok {
						failed <- err
					}
					return
				}
			}
		}(pc)
	}
	out := bufio.NewWriter(os.Stdout)
	deadline := time.After(60 * time.Second)
	for n := 0; n < count; n++ {
		select {
		case l := <-lines:
			out.WriteString(l)
		case err := <-failed:
			out.Flush()
			records.Fail("consume: %v", err)
		case <-deadline:
			out.Flush()
			records.Fail("timed out after %d records", n)
		}
	}
	out.Flush()
	// The records are written; the partition consumers are not closed one by one, since a reader
	// goroutine may be blocked on a line nobody reads any more: the process ends here.
	os.Exit(0)
}

// allReader is a ConsumerGroupHandler that writes the first `count` records of any partition and
// ends the session once the coordinator has the commit of every partition it read.
type allReader struct {
	mu     sync.Mutex
	count  int
	out    *bufio.Writer
	read   int
	next   map[int32]int64
	done   context.CancelFunc
	client sarama.Client
	group  string
	topic  string
}

func (g *allReader) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (g *allReader) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (g *allReader) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		g.mu.Lock()
		if g.read >= g.count {
			g.mu.Unlock()
			break
		}
		g.out.WriteString(clusterLine(m.Partition, m.Offset, m.Key))
		s.MarkMessage(m, "")
		g.read++
		g.next[m.Partition] = m.Offset + 1
		finished := g.read == g.count
		g.mu.Unlock()
		if finished {
			// sarama 1.22 commits marked offsets on its CommitInterval ticker: the session is kept
			// until the coordinator has every commit (asked through a separate client).
			for !g.committed() {
				select {
				case <-s.Context().Done():
					return nil
				case <-time.After(50 * time.Millisecond):
				}
			}
			g.done()
			break
		}
	}
	return nil
}

// committed says whether the coordinator (OffsetFetch) has the offset after the last record read
// of every partition.
func (g *allReader) committed() bool {
	coordinator, err := g.client.Coordinator(g.group)
	if err != nil {
		records.Fail("coordinator: %v", err)
	}
	req := &sarama.OffsetFetchRequest{Version: 1, ConsumerGroup: g.group}
	g.mu.Lock()
	want := make(map[int32]int64, len(g.next))
	for p, o := range g.next {
		want[p] = o
		req.AddPartition(g.topic, p)
	}
	g.mu.Unlock()
	resp, err := coordinator.FetchOffset(req)
	if err != nil {
		records.Fail("offset fetch: %v", err)
	}
	for p, o := range want {
		block := resp.GetBlock(g.topic, p)
		if block == nil || block.Err != sarama.ErrNoError {
			records.Fail("offset fetch of partition %d: %v", p, block)
		}
		if block.Offset != o {
			return false
		}
	}
	return true
}

func groupConsumeAll(bootstrap, topic string, count int, group string) {
	c := config()
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Offsets.CommitInterval = 100 * time.Millisecond
	client, err := sarama.NewClient([]string{bootstrap}, c)
	if err != nil {
		records.Fail("client: %v", err)
	}
	defer client.Close()
	cg, err := sarama.NewConsumerGroup([]string{bootstrap}, group, c)
	if err != nil {
		records.Fail("consumer group: %v", err)
	}
	go func() {
		for err := range cg.Errors() {
			records.Fail("group: %v", err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := bufio.NewWriter(os.Stdout)
	reader := &allReader{
		count: count, out: out, next: map[int32]int64{}, done: cancel,
		client: client, group: group, topic: topic,
	}
	for ctx.Err() == nil {
		if err := cg.Consume(ctx, []string{topic}, reader); err != nil {
			records.Fail("consume: %v", err)
		}
	}
	out.Flush()
	if reader.read < count {
		records.Fail("timed out after %d records", reader.read)
	}
	if err := cg.Close(); err != nil {
		records.Fail("close: %v", err)
	}
}

func createTopic(broker, topic string, partitions int, check string) {
	b := sarama.NewBroker(broker)
	if err := b.Open(config()); err != nil {
		records.Fail("open %s: %v", broker, err)
	}
	defer b.Close()
	res, err := b.CreateTopics(&sarama.CreateTopicsRequest{
		Version:      2,
		TopicDetails: map[string]*sarama.TopicDetail{topic: {NumPartitions: int32(partitions), ReplicationFactor: 1}},
		Timeout:      10 * time.Second,
	})
	if err != nil {
		records.Fail("create topics: %v", err)
	}
	topicErr, ok := res.TopicErrors[topic]
	if !ok {
		records.Fail("no result for %s", topic)
	}
	client, err := sarama.NewClient([]string{check}, config())
	if err != nil {
		records.Fail("client: %v", err)
	}
	defer client.Close()
	// Metadata reaches the other brokers shortly after the controller has the topic, as in Kafka.
	deadline := time.Now().Add(15 * time.Second)
	var leaders []int32
	for time.Now().Before(deadline) {
		leaders = leadersOf(client, topic)
		if len(leaders) == partitions {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, _ := json.Marshal(map[string]interface{}{"error": int16(topicErr.Err), "leaders": leaders})
	fmt.Println(string(out))
}

// leadersOf returns the leader of each partition of the topic, sorted by partition, as the client's
// fresh metadata has them; nil while the topic is unknown or a partition has no leader.
func leadersOf(client sarama.Client, topic string) []int32 {
	if err := client.RefreshMetadata(topic); err != nil {
		return nil
	}
	partitions, err := client.Partitions(topic)
	if err != nil {
		return nil
	}
	sort.Slice(partitions, func(i, j int) bool { return partitions[i] < partitions[j] })
	leaders := make([]int32, 0, len(partitions))
	for _, p := range partitions {
		leader, err := client.Leader(topic, p)
		if err != nil {
			return nil
		}
		leaders = append(leaders, leader.ID())
	}
	return leaders
}
