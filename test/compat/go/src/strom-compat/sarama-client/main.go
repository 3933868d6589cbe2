// Command sarama-client produces and consumes the compatibility records with Shopify/sarama.
//
//	sarama-client produce BOOTSTRAP TOPIC COUNT CODEC   (CODEC: none, gzip, snappy, lz4, zstd)
//	sarama-client produce-idempotent BOOTSTRAP TOPIC COUNT
//	    (Producer.Idempotent: InitProducerId, then batches with a producer id and sequences)
//	sarama-client consume BOOTSTRAP TOPIC COUNT          (a partition consumer: no group)
//	sarama-client group-consume BOOTSTRAP TOPIC COUNT GROUP
//	    (a ConsumerGroup member: reads COUNT records of partition 0 from the group's committed
//	    offset, marks them, waits until the commit reached the coordinator, and leaves)
//
// and the modes of cluster.go, which spread over every partition of a topic.
//
// Every mode connects over TLS, SASL or both when the environment says so (see secure).
package main

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"time"

	"github.com/Shopify/sarama"

	"strom-compat/records"
)

var codecs = map[string]sarama.CompressionCodec{
	"none":   sarama.CompressionNone,
	"gzip":   sarama.CompressionGZIP,
	"snappy": sarama.CompressionSnappy,
	"lz4":    sarama.CompressionLZ4,
	"zstd":   sarama.CompressionZSTD,
}

func config() *sarama.Config {
	c := sarama.NewConfig()
	c.ClientID = "compat-sarama"
	// The newest version this sarama knows; it picks each API's version from it.
	c.Version = sarama.V2_1_0_0
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Return.Successes = true
	c.Producer.Partitioner = sarama.NewManualPartitioner
	c.Producer.Flush.Messages = 500
	c.Producer.Flush.Frequency = 10 * time.Millisecond
	c.Consumer.MaxWaitTime = 200 * time.Millisecond
	secure(c)
	return c
}

func produce(bootstrap, topic string, count int, codec string, idempotent bool) {
	c := config()
	cc, ok := codecs[codec]
	if !ok {
		records.Fail("unknown codec %s", codec)
	}
	c.Producer.Compression = cc
	if idempotent {
		// sarama's rules for Idempotent: acks=all, one request in flight, retries.
		c.Producer.Idempotent = true
		c.Net.MaxOpenRequests = 1
		c.Producer.Retry.Max = 10
	}
	p, err := sarama.NewSyncProducer([]string{bootstrap}, c)
	if err != nil {
		records.Fail("producer: %v", err)
	}
	headers := make([]sarama.RecordHeader, len(records.Headers))
	for i, h := range records.Headers {
		headers[i] = sarama.RecordHeader{Key: []byte(h.Key), Value: h.Value}
	}
	msgs := make([]*sarama.ProducerMessage, 0, count)
	for i := 0; i < count; i++ {
		key, value := records.Record(i)
		m := &sarama.ProducerMessage{Topic: topic, Partition: 0, Key: sarama.ByteEncoder(key), Headers: headers}
		if value != nil {
			m.Value = sarama.ByteEncoder(value)
		}
		msgs = append(msgs, m)
	}
	if err := p.SendMessages(msgs); err != nil {
		// The first record's error names the broker's error code (e.g. for zstd below Produce v7).
		if errs, ok := err.(sarama.ProducerErrors); ok && len(errs) > 0 {
			records.Fail("send: %v", errs[0].Err)
		}
		records.Fail("send: %v", err)
	}
	for i, m := range msgs {
		if m.Offset != msgs[0].Offset+int64(i) {
			records.Fail("acknowledged offsets are not consecutive at %d", i)
		}
	}
	if err := p.Close(); err != nil {
		records.Fail("close: %v", err)
	}
}

func consume(bootstrap, topic string, count int) {
	c, err := sarama.NewConsumer([]string{bootstrap}, config())
	if err != nil {
		records.Fail("consumer: %v", err)
	}
	pc, err := c.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		records.Fail("consume partition: %v", err)
	}
	out := bufio.NewWriter(os.Stdout)
	deadline := time.After(60 * time.Second)
	for n := 0; n < count; n++ {
		select {
		case m := <-pc.Messages():
			hs := make([]records.Header, len(m.Headers))
			for i, h := range m.Headers {
				hs[i] = records.Header{Key: string(h.Key), Value: h.Value}
			}
			out.WriteString(records.Line(m.Offset, m.Key, m.Value, hs))
		case err := <-pc.Errors():
			records.Fail("consume: %v", err)
		case <-deadline:
			out.Flush()
			records.Fail("timed out after %d records", n)
		}
	}
	out.Flush()
	pc.Close()
	c.Close()
}

// groupReader is a ConsumerGroupHandler that writes the first `count` records and then ends the session.
type groupReader struct {
	count  int
	out    *bufio.Writer
	read   int
	last   int64
	done   context.CancelFunc
	client sarama.Client
	group  string
}

func (g *groupReader) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (g *groupReader) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (g *groupReader) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		if g.read >= g.count {
			break
		}
		hs := make([]records.Header, len(m.Headers))
		for i, h := range m.Headers {
			hs[i] = records.Header{Key: string(h.Key), Value: h.Value}
		}
		g.out.WriteString(records.Line(m.Offset, m.Key, m.Value, hs))
		s.MarkMessage(m, "")
		g.read++
		g.last = m.Offset
		if g.read == g.count {
			// sarama 1.22 commits marked offsets on its CommitInterval ticker: the session is kept
			// until the coordinator has the commit (asked through a separate client).
			for committedOffset(g.client, g.group, m.Topic) != g.last+1 {
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

// committedOffset asks the group's coordinator (OffsetFetch) what the group committed for partition 0.
func committedOffset(client sarama.Client, group, topic string) int64 {
	coordinator, err := client.Coordinator(group)
	if err != nil {
		records.Fail("coordinator: %v", err)
	}
	req := &sarama.OffsetFetchRequest{Version: 1, ConsumerGroup: group}
	req.AddPartition(topic, 0)
	resp, err := coordinator.FetchOffset(req)
	if err != nil {
		records.Fail("offset fetch: %v", err)
	}
	block := resp.GetBlock(topic, 0)
	if block == nil || block.Err != sarama.ErrNoError {
		records.Fail("offset fetch: %v", block)
	}
	return block.Offset
}

func groupConsume(bootstrap, topic string, count int, group string) {
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
	reader := &groupReader{count: count, out: out, done: cancel, client: client, group: group}
	for ctx.Err() == nil {
		if err := cg.Consume(ctx, []string{topic}, reader); err != nil {
			records.Fail("consume: %v", err)
		}
	}
	if reader.read < count {
		out.Flush()
		records.Fail("timed out after %d records", reader.read)
	}
	out.Flush()
	if err := cg.Close(); err != nil {
		records.Fail("close: %v", err)
	}
}

func main() {
	if len(os.Args) < 5 {
		records.Fail("usage: sarama-client produce|consume BOOTSTRAP TOPIC COUNT [CODEC]")
	}
	count, err := strconv.Atoi(os.Args[4])
	if err != nil {
		records.Fail("bad count %s", os.Args[4])
	}
	switch os.Args[1] {
	case "produce":
		produce(os.Args[2], os.Args[3], count, os.Args[5], false)
	case "produce-idempotent":
		produce(os.Args[2], os.Args[3], count, "none", true)
	case "consume":
		consume(os.Args[2], os.Args[3], count)
	case "group-consume":
		groupConsume(os.Args[2], os.Args[3], count, os.Args[5])
	case "produce-keyed":
		produceKeyed(os.Args[2], os.Args[3], count)
	case "consume-all":
		consumeAll(os.Args[2], os.Args[3], count)
	case "group-consume-all":
		groupConsumeAll(os.Args[2], os.Args[3], count, os.Args[5])
	case "create-topic":
		createTopic(os.Args[2], os.Args[3], count, os.Args[5])
	default:
		records.Fail("unknown mode %s", os.Args[1])
	}
}
