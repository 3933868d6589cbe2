<?php
// Loads kafka-php (vendored in kafka-php/, see README.md) and its dependencies as Debian installs
// them, in place of Composer's vendor/autoload.php:
// - php-amphp-amp and php-psr-log put class-map autoloaders under /usr/share/php; Amp's functions
//   files, which Composer would load as "files" entries, are required here;
// - lcobucci/clock, which kafka-php's Produce uses for message timestamps, is not packaged by
//   Debian: lcobucci-clock.php defines the two types it uses.
declare(strict_types=1);

require_once '/usr/share/php/Amp/autoload.php';
require_once '/usr/share/php/Amp/functions.php';
require_once '/usr/share/php/Amp/Internal/functions.php';
require_once '/usr/share/php/Psr/Log/autoload.php';
require_once __DIR__ . '/lcobucci-clock.php';

spl_autoload_register(static function (string $class): void {
    $prefix = 'Kafka\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/kafka-php/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
