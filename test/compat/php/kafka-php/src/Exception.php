<?php
declare(strict_types=1);

namespace Kafka;

class Exception extends \RuntimeException
{
}
