// Command kafka-go-client produces and consumes the compatibility records with segmentio/kafka-go.
//
//	kafka-go-client produce BOOTSTRAP TOPIC COUNT CODEC   (CODEC: none, gzip, snappy, lz4)
//	kafka-go-client consume BOOTSTRAP TOPIC COUNT          (a partition reader: no group)
//
// This kafka-go (0.2.x) writes message format v1 (Produce v2): no headers, no zstd. Its Writer
// cannot compress, so "none" goes through the Writer and the codecs through a leader Conn.
//
//	kafka-go-client group-consume BOOTSTRAP TOPIC COUNT GROUP
//	    (a Reader with GroupID: reads COUNT records from the group's committed offsets, commits
//	    the last synchronously with CommitMessages, and closes)
package main

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"time"

	kafka "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/gzip"
	"github.com/segmentio/kafka-go/lz4"
	"github.com/segmentio/kafka-go/snappy"

	"strom-compat/records"
)

var dialer = &kafka.Dialer{ClientID: "compat-kafka-go", Timeout: 10 * time.Second}

// partitionZero sends every message to partition 0 so offsets are predictable.
type partitionZero struct{}

func (partitionZero) Balance(kafka.Message, ...int) int { return 0 }

func messages(count int) []kafka.Message {
	msgs := make([]kafka.Message, count)
	for i := range msgs {
		key, value := records.Record(i)
		msgs[i] = kafka.Message{Key: key, Value: value}
	}
	return msgs
}

func produce(bootstrap, topic string, count int, codec string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	msgs := messages(count)
	if codec == "none" {
		w := kafka.NewWriter(kafka.WriterConfig{
			Brokers:      []string{bootstrap},
			Topic:        topic,
			Dialer:       dialer,
			Balancer:     partitionZero{},
			RequiredAcks: -1,
			BatchSize:    500,
			BatchTimeout: 10 * time.Millisecond,
		})
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			records.Fail("write: %v", err)
		}
		if err := w.Close(); err != nil {
			records.Fail("close: %v", err)
		}
		return
	}
	var cc kafka.CompressionCodec
	switch codec {
	case "gzip":
		cc = gzip.NewCompressionCodec()
	case "snappy":
		cc = snappy.NewCompressionCodec()
	case "lz4":
		cc = lz4.NewCompressionCodec()
	default:
		records.Fail("unknown codec %s", codec)
	}
	conn, err := dialer.DialLeader(ctx, "tcp", bootstrap, topic, 0)
	if err != nil {
		records.Fail("dial leader: %v", err)
	}
	if err := conn.SetRequiredAcks(-1); err != nil {
		records.Fail("acks: %v", err)
	}
	for start := 0; start < len(msgs); start += 500 {
		end := start + 500
		if end > len(msgs) {
			end = len(msgs)
		}
		conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := conn.WriteCompressedMessages(cc, msgs[start:end]...); err != nil {
			records.Fail("write: %v", err)
		}
	}
	conn.Close()
}

func consume(bootstrap, topic string, count int) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   []string{bootstrap},
		Topic:     topic,
		Partition: 0,
		Dialer:    dialer,
		MinBytes:  1,
		MaxBytes:  4 << 20,
		MaxWait:   200 * time.Millisecond,
	})
	if err := r.SetOffset(kafka.FirstOffset); err != nil {
		records.Fail("seek: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := bufio.NewWriter(os.Stdout)
	for n := 0; n < count; n++ {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			out.Flush()
			records.Fail("read after %d records: %v", n, err)
		}
		out.WriteString(records.Line(m.Offset, m.Key, m.Value, nil))
	}
	out.Flush()
	r.Close()
}

func groupConsume(bootstrap, topic string, count int, group string) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:  []string{bootstrap},
		GroupID:  group,
		Topic:    topic,
		Dialer:   dialer,
		MinBytes: 1,
		MaxBytes: 4 << 20,
		MaxWait:  200 * time.Millisecond,
		// No LeaveGroup reaches the broker from this version's Close, so the next member's join
		// waits for this session to expire: the broker's minimum instead of kafka-go's 30 s.
		SessionTimeout:    6 * time.Second,
		HeartbeatInterval: time.Second,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := bufio.NewWriter(os.Stdout)
	for n := 0; n < count; n++ {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			out.Flush()
			records.Fail("read after %d records: %v", n, err)
		}
		out.WriteString(records.Line(m.Offset, m.Key, m.Value, nil))
		if n == count-1 {
			if err := r.CommitMessages(ctx, m); err != nil {
				records.Fail("commit: %v", err)
			}
		}
	}
	out.Flush()
	if err := r.Close(); err != nil {
		records.Fail("close: %v", err)
	}
}

func main() {
	if len(os.Args) < 5 {
		records.Fail("usage: kafka-go-client produce|consume BOOTSTRAP TOPIC COUNT [CODEC]")
	}
	count, err := strconv.Atoi(os.Args[4])
	if err != nil {
		records.Fail("bad count %s", os.Args[4])
	}
	switch os.Args[1] {
	case "produce":
		produce(os.Args[2], os.Args[3], count, os.Args[5])
	case "consume":
		consume(os.Args[2], os.Args[3], count)
	case "group-consume":
		groupConsume(os.Args[2], os.Args[3], count, os.Args[5])
	default:
		records.Fail("unknown mode %s", os.Args[1])
	}
}
