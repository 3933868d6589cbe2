<?php
// The part of lcobucci/clock 1.x that kafka-php uses (Kafka\Protocol\Produce stamps messages with
// Clock::now()): Debian does not package the library, and these two types are all of its API.
declare(strict_types=1);

namespace Lcobucci\Clock;

use DateTimeImmutable;
use DateTimeZone;

interface Clock
{
    public function now(): DateTimeImmutable;
}

final class SystemClock implements Clock
{
    /** @var DateTimeZone|null */
    private $timezone;

    public function __construct(?DateTimeZone $timezone = null)
    {
        $this->timezone = $timezone;
    }

    public function now(): DateTimeImmutable
    {
        return new DateTimeImmutable('now', $this->timezone);
    }
}
