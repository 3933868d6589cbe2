<?php
// kafka-php (weiboad/kafka-php) driven by php-client.test.ts:
//   produce <bootstrap> <topic> <count> <partitions> <none|gzip>
//     record i (key-i, value-i-x…) to partition i % partitions, 100 records per Produce request,
//     acks=all; exits 1 on any error code in a response.
//   group-consume <bootstrap> <topic> <group> <count>
//     kafka-php's group consumer (earliest when the group has no offset) until <count> records
//     arrived, one line each: partition<TAB>offset<TAB>key<TAB>value<TAB> (no headers in format 1).
// Client id is always "kafka-php" (the library hard-codes it in every request header).
declare(strict_types=1);

// kafka-php targets PHP 7.1; PHP 8.2 deprecation notices would interleave with the output.
error_reporting(E_ALL & ~E_DEPRECATED);
date_default_timezone_set('UTC');
require __DIR__ . '/autoload.php';

use Amp\Loop;
use Kafka\Consumer;
use Kafka\ConsumerConfig;
use Kafka\Producer;
use Kafka\ProducerConfig;
use Kafka\Protocol\Protocol;

/** Matches compatRecord in helpers/compat-records.ts, except that kafka-php cannot send null values. */
function record(int $i): array
{
    return ['key' => "key-$i", 'value' => "value-$i-" . str_repeat('x', $i % 37)];
}

function produce(string $bootstrap, string $topic, int $count, int $partitions, string $codec): void
{
    $config = ProducerConfig::getInstance();
    $config->setMetadataBrokerList($bootstrap);
    $config->setBrokerVersion('1.0.0');
    $config->setRequiredAck(-1);
    $config->setIsAsyn(false);
    $config->setCompression($codec === 'gzip' ? Protocol::COMPRESSION_GZIP : Protocol::COMPRESSION_NONE);
    $producer = new Producer();
    for ($start = 0; $start < $count; $start += 100) {
        $batch = [];
        for ($i = $start; $i < min($start + 100, $count); $i++) {
            $batch[] = ['topic' => $topic, 'partId' => $i % $partitions] + record($i);
        }
        foreach ($producer->send($batch) as $response) {
            foreach ($response['data'] as $t) {
                foreach ($t['partitions'] as $p) {
                    if ($p['errorCode'] !== 0) {
                        fwrite(STDERR, "produce to {$t['topicName']}-{$p['partition']}: error code {$p['errorCode']}\n");
                        exit(1);
                    }
                }
            }
        }
    }
}

function groupConsume(string $bootstrap, string $topic, string $group, int $count): void
{
    $config = ConsumerConfig::getInstance();
    $config->setMetadataBrokerList($bootstrap);
    $config->setMetadataRefreshIntervalMs(10000);
    $config->setBrokerVersion('1.0.0');
    $config->setGroupId($group);
    $config->setTopics([$topic]);
    $config->setOffsetReset('earliest');
    // The broker's group.min.session.timeout.ms is lowered for this test: kafka-php sends no
    // LeaveGroup, so a later member of the group waits for this one's session to expire.
    $config->setSessionTimeout(2000);
    $config->setRebalanceTimeout(2000);
    $seen = 0;
    $consumer = new Consumer();
    $consumer->start(function (string $t, int $partition, array $message) use (&$seen, $count, $consumer): void {
        echo $partition, "\t", $message['offset'], "\t", $message['message']['key'], "\t",
            $message['message']['value'], "\t\n";
        if (++$seen === $count) {
            $consumer->stop();
        }
    });
}

Loop::setErrorHandler(static function (Throwable $e): void {
    fwrite(STDERR, "kafka-php: $e\n");
    exit(1);
});

[, $mode, $bootstrap, $topic] = $argv;
switch ($mode) {
    case 'produce':
        produce($bootstrap, $topic, (int) $argv[4], (int) $argv[5], $argv[6]);
        break;
    case 'group-consume':
        groupConsume($bootstrap, $topic, $argv[4], (int) $argv[5]);
        break;
    default:
        fwrite(STDERR, "unknown mode $mode\n");
        exit(2);
}
